//! The fonts, embedded: IPAex Mincho for the body, IPAex Gothic for headings
//! and tables. No system font is ever scanned, so every machine prints alike.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

static MINCHO: &[u8] = include_bytes!("../../assets/fonts/ipaexm.ttf");
static GOTHIC: &[u8] = include_bytes!("../../assets/fonts/ipaexg.ttf");

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

/// The raw font files, for `--emit-typst` users who compile with the typst CLI.
pub const FILES: [(&str, &[u8]); 2] = [("ipaexm.ttf", MINCHO), ("ipaexg.ttf", GOTHIC)];

/// Whether the embedded fonts can print `c` (controls, spaces and invisible
/// format characters need no glyph). Anything else prints as an empty box.
pub fn printable(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
        || CMAPS
            .iter()
            .any(|t| t.glyph_index(c as u32).is_some_and(|g| g.0 != 0))
}

/// The embedded fonts' Unicode character maps: the codepoints Typst counts as
/// a font's coverage, looked up by binary search (glyph 0, .notdef, is the
/// empty box itself). `check` asks about every character of the plan, so it
/// neither builds Typst's fonts (their metadata) nor walks Typst's
/// run-length coverage one run at a time.
static CMAPS: LazyLock<Vec<ttf_parser::cmap::Subtable<'static>>> = LazyLock::new(|| {
    [MINCHO, GOTHIC]
        .into_iter()
        .filter_map(|data| ttf_parser::Face::parse(data, 0).ok())
        .flat_map(|face| face.tables().cmap.into_iter().flat_map(|t| t.subtables))
        .filter(|t| t.is_unicode())
        .collect()
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
