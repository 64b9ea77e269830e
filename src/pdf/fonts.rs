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
