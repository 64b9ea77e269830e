//! The fonts, embedded: IPAex Mincho for the body, IPAex Gothic for headings
//! and tables. Their bytes, which characters they can print (read from their
//! character maps, without building Typst's fonts: `check` stays fast) and
//! how wide a character is (a table's geometry is worked out before Typst
//! lays it out: see render::table). pdf::fonts makes Typst's fonts of them.

use std::sync::LazyLock;

pub static MINCHO: &[u8] = include_bytes!("../assets/fonts/ipaexm.ttf");
pub static GOTHIC: &[u8] = include_bytes!("../assets/fonts/ipaexg.ttf");

/// The raw font files, for `--emit-typst` users who compile with the typst CLI.
pub const FILES: [(&str, &[u8]); 2] = [("ipaexm.ttf", MINCHO), ("ipaexg.ttf", GOTHIC)];

/// Whether the embedded fonts can print `c` (controls, spaces and invisible
/// format characters need no glyph). Anything else prints as an empty box.
pub fn printable(c: char) -> bool {
    invisible(c)
        || CMAPS
            .iter()
            .any(|t| t.glyph_index(c as u32).is_some_and(|g| g.0 != 0))
}

fn invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}')
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

static GOTHIC_FACE: LazyLock<Option<ttf_parser::Face<'static>>> =
    LazyLock::new(|| ttf_parser::Face::parse(GOTHIC, 0).ok());

/// The advance width of `c` in IPAex Gothic, in em (a full-width character is
/// 1.0), or `None` when the font has no glyph for it (Typst would print it in
/// another font, whose width we do not know).
pub fn gothic_advance(c: char) -> Option<f64> {
    let face = GOTHIC_FACE.as_ref()?;
    let glyph = face.glyph_index(c).filter(|g| g.0 != 0)?;
    let advance = face.glyph_hor_advance(glyph)?;
    Some(f64::from(advance) / f64::from(face.units_per_em()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gothic_widths_are_full_for_kanji_and_proportional_for_latin() {
        assert_eq!(gothic_advance('情'), Some(1.0));
        assert_eq!(gothic_advance('あ'), Some(1.0));
        let i = gothic_advance('i').unwrap();
        let w = gothic_advance('W').unwrap();
        assert!(i < 0.4 && w > 0.7, "i {i}, W {w}");
        assert_eq!(gothic_advance('😀'), None);
    }
}
