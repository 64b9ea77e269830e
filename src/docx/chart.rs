//! A drawn chart (`html.frame` in the templates: the 連絡体制図, the
//! organisation chart) as a PNG: the laid-out frame the PDF prints, drawn to
//! SVG by typst-svg (glyphs as outlines, so no fonts are needed) and
//! rasterised by resvg.

use std::sync::{Arc, LazyLock};

use typst::foundations::{Content, Smart};
use typst::layout::{Abs, Frame, FrameItem, Sides};
use typst::visualize::{Color, Paint};
use typst_layout::Page;

/// Pixels per typographic point: 3 gives 216 dpi, sharp on paper.
const SCALE: f32 = 3.0;

static FONTDB: LazyLock<Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    for (_, data) in crate::pdf::fonts::FILES {
        db.load_font_data(data.to_vec());
    }
    Arc::new(db)
});

pub struct Png {
    pub bytes: Vec<u8>,
    pub width_pt: f64,
    pub height_pt: f64,
}

pub fn png(frame: &Frame) -> anyhow::Result<Png> {
    let page = Page {
        frame: frame.clone(),
        bleed: Sides::splat(Abs::zero()),
        fill: Smart::Custom(Some(Paint::Solid(Color::WHITE))),
        numbering: None,
        supplement: Content::empty(),
        number: 1,
    };
    let svg = typst_svg::svg(&page, &typst_svg::SvgOptions::default());
    // A user's SVG diagram inside the frame may hold text: the embedded fonts.
    let options = resvg::usvg::Options {
        fontdb: FONTDB.clone(),
        font_family: "IPAexGothic".into(),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(&svg, &options)?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).ceil().max(1.0) as u32,
        (size.height() * SCALE).ceil().max(1.0) as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| anyhow::anyhow!("図が大きすぎて画像にできません（{w}×{h}）"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    // Opaque (white background): the premultiplied pixels are the plain ones.
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes).write_image(
        pixmap.data(),
        w,
        h,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(Png {
        bytes,
        width_pt: frame.width().to_pt(),
        height_pt: frame.height().to_pt(),
    })
}

/// The words drawn in a frame, in drawing order (for the reader's checks:
/// what the chart says is what the PDF's chart says).
pub fn text(frame: &Frame) -> String {
    let mut out = String::new();
    collect(frame, &mut out);
    out
}

fn collect(frame: &Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => collect(&g.frame, out),
            FrameItem::Text(t) => {
                out.push_str(&t.text);
                out.push('\n');
            }
            _ => {}
        }
    }
}

use image::ImageEncoder as _;
