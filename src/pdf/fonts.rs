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
        || FONTS
            .fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
}
