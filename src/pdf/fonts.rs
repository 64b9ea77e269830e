//! The embedded fonts (crate::fonts) as Typst's fonts. No system font is
//! ever scanned, so every machine prints alike.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

pub use crate::fonts::{FILES, printable};
use crate::fonts::{GOTHIC, MINCHO};

pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

/// Parsed once per process and shared by every World.
pub static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = [MINCHO, GOTHIC]
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn printable_agrees_with_the_coverage_typst_uses() {
        let covered: HashSet<u32> = FONTS
            .fonts
            .iter()
            .flat_map(|f| f.info().coverage.iter())
            .collect();
        assert!(covered.len() > 10_000, "IPAex covers JIS X 0208 and more");
        let plain = |c: char| {
            c.is_control()
                || c.is_whitespace()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
        };
        let differ: Vec<String> = (0..=0x3_FFFF)
            .filter_map(char::from_u32)
            .filter(|c| !plain(*c) && printable(*c) != covered.contains(&(*c as u32)))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
        assert!(printable('髙') && printable('〒') && !printable('😀') && !printable('𠮷'));
    }
}
