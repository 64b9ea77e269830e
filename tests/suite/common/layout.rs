//! "Nothing overflows the page": every glyph run and image of the laid-out
//! document lies inside its page (clipped groups are checked at their clip box).

use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst_layout::PagedDocument;

/// Every text run or image that sticks out of its page, as "page N: …".
pub fn overflows(doc: &PagedDocument) -> Vec<String> {
    let mut found = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let size = page.frame.size();
        walk(&page.frame, Transform::identity(), size, i + 1, &mut found);
    }
    found
}

fn walk(frame: &Frame, ts: Transform, page: Size, n: usize, found: &mut Vec<String>) {
    let tolerance = Abs::pt(0.5);
    let inside = |p: Point| {
        p.x >= -tolerance
            && p.y >= -tolerance
            && p.x <= page.x + tolerance
            && p.y <= page.y + tolerance
    };
    for (pos, item) in frame.items() {
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => {
                let inner = at.pre_concat(group.transform);
                if group.clip.is_some() {
                    // What is outside the clip is not drawn: check the box itself.
                    let corner = Point::new(group.frame.width(), group.frame.height());
                    if !inside(Point::zero().transform(inner)) || !inside(corner.transform(inner)) {
                        found.push(format!("page {n}: clipped group outside the page"));
                    }
                } else {
                    walk(&group.frame, inner, page, n, found);
                }
            }
            FrameItem::Text(text) => {
                let start = Point::zero().transform(at);
                let end = Point::new(text.width(), Abs::zero()).transform(at);
                if !inside(start) || !inside(end) {
                    let sample: String = text.text.chars().take(20).collect();
                    found.push(format!(
                        "page {n}: text {sample:?} at ({:.0}, {:.0})–({:.0}) outside {:.0}×{:.0}",
                        start.x.to_pt(),
                        start.y.to_pt(),
                        end.x.to_pt(),
                        page.x.to_pt(),
                        page.y.to_pt()
                    ));
                }
            }
            FrameItem::Image(_, size, _) => {
                let end = Point::new(size.x, size.y).transform(at);
                if !inside(Point::zero().transform(at)) || !inside(end) {
                    found.push(format!("page {n}: image outside the page"));
                }
            }
            _ => {}
        }
    }
}
