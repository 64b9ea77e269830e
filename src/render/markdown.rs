//! Markdown prose fields → a tree of blocks and inlines that the Typst
//! templates draw with `md()` in `lib.typ`.
//!
//! We deliberately do not emit Typst markup: every piece of user text stays a
//! string value, so no escaping rule can be forgotten and nothing is `eval`ed.

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Block {
    Para {
        c: Vec<Inline>,
    },
    Heading {
        c: Vec<Inline>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote {
        c: Vec<Block>,
    },
    Code {
        text: String,
    },
    Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Inline {
    Text { v: String },
    Strong { c: Vec<Inline> },
    Emph { c: Vec<Inline> },
    Strike { c: Vec<Inline> },
    Code { v: String },
    Link { url: String, c: Vec<Inline> },
    Break,
}

/// One place for parser options (as mdBook does).
fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)
}

/// Nesting of lists, quotes and emphasis allowed in one text (far beyond
/// prose; Typst's own limit on nested show rules is near 30).
pub const MAX_DEPTH: usize = 16;

/// How deeply lists, quotes and emphasis nest in `text`.
pub fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for event in parser(text) {
        match event {
            Event::Start(_) => {
                depth += 1;
                max = max.max(depth);
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Validation refuses deeper nesting ([`MAX_DEPTH`]); should
/// such text reach here anyway, it is printed as plain text, never as a tree
/// too deep for Typst or JSON.
pub fn to_blocks(text: &str) -> Vec<Block> {
    if nesting_depth(text) > MAX_DEPTH {
        return vec![Block::Para {
            c: vec![Inline::Text {
                v: text.to_string(),
            }],
        }];
    }
    let mut b = Builder::default();
    let events: Vec<Event<'_>> = parser(text).collect();
    for (i, event) in events.iter().enumerate() {
        if matches!(event, Event::SoftBreak) {
            let before = events[..i]
                .iter()
                .rev()
                .find_map(|e| words(e)?.chars().last());
            let after = events[i + 1..]
                .iter()
                .find_map(|e| words(e)?.chars().next());
            if before.zip(after).is_some_and(|(a, b)| wide(a) && wide(b)) {
                continue;
            }
        }
        // "**窓口（内線 2101）** に": Markdown needs the space to close the
        // emphasis after "）"; printed, it is a gap after a mark that
        // carries its own space.
        if let Event::Text(t) = event
            && t.starts_with(' ')
            && events[..i]
                .iter()
                .rev()
                .find_map(|e| words(e)?.chars().last())
                .is_some_and(is_closing_mark)
        {
            b.event(Event::Text(t.trim_start_matches(' ').to_string().into()));
            continue;
        }
        b.event(event.clone());
    }
    b.finish()
}

/// Full-width marks that end a phrase and carry their own space (lib.typ's
/// `spaced-mark` drops a space after them within one piece of text).
fn is_closing_mark(c: char) -> bool {
    "、。，．）」』】〕〉》］｝".contains(c)
}

/// The text an event prints, if any.
fn words<'a>(event: &'a Event<'_>) -> Option<&'a str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t),
        _ => None,
    }
}

/// A line break in the source between two full-width characters (Japanese
/// written over several lines: "…適用する。\nファイアウォール…") joins the
/// lines without a space, as browsers do (CSS Text 4, segment breaks): a
/// space there would print as a gap after "。". Between Japanese and Latin
/// words it stays a space. Hangul is spaced by words, so it keeps the space.
fn wide(c: char) -> bool {
    use unicode_width::UnicodeWidthChar as _;
    c.width() == Some(2)
        && !matches!(c, '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}' | '\u{ac00}'..='\u{d7af}')
}

/// Open containers while walking the event stream.
enum Frame {
    Blocks(Vec<Block>),
    Inlines(Vec<Inline>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Option<Tag<'static>>, Frame)>,
    root: Vec<Block>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag.into_static()),
            Event::End(_) => self.end(),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.inline(Inline::Code { v: t.to_string() }),
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.inline(Inline::Break),
            Event::Rule => self.block(Block::Rule),
            Event::FootnoteReference(t) => self.text(&format!("[^{t}]")),
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
        }
    }

    fn start(&mut self, tag: Tag<'static>) {
        let frame = match &tag {
            Tag::List(start) => Frame::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
                items: vec![],
            },
            Tag::Item | Tag::BlockQuote(_) => Frame::Blocks(vec![]),
            Tag::CodeBlock(_) => Frame::Inlines(vec![]),
            // Images are never loaded: only their alt text is kept.
            _ => Frame::Inlines(vec![]),
        };
        self.stack.push((Some(tag), frame));
    }

    fn end(&mut self) {
        while matches!(self.stack.last(), Some((None, _))) {
            self.close_implicit_para();
        }
        let Some((Some(tag), frame)) = self.stack.pop() else {
            return;
        };
        match (tag, frame) {
            (
                Tag::List(_),
                Frame::List {
                    ordered,
                    start,
                    items,
                },
            ) => self.block(Block::List {
                ordered,
                start,
                items,
            }),
            (Tag::Item, Frame::Blocks(blocks)) => {
                if let Some((_, Frame::List { items, .. })) = self.stack.last_mut() {
                    items.push(blocks);
                }
            }
            (Tag::BlockQuote(_), Frame::Blocks(c)) => self.block(Block::Quote { c }),
            (Tag::CodeBlock(_), Frame::Inlines(c)) => self.block(Block::Code {
                text: plain(&c).trim_end().to_string(),
            }),
            (Tag::Paragraph, Frame::Inlines(c)) => self.block(Block::Para { c }),
            (Tag::Heading { .. }, Frame::Inlines(c)) => self.block(Block::Heading { c }),
            (Tag::Strong, Frame::Inlines(c)) => self.inline(Inline::Strong { c }),
            (Tag::Emphasis, Frame::Inlines(c)) => self.inline(Inline::Emph { c }),
            (Tag::Strikethrough, Frame::Inlines(c)) => self.inline(Inline::Strike { c }),
            (Tag::Link { dest_url, .. }, Frame::Inlines(c)) => self.inline(Inline::Link {
                url: dest_url.to_string(),
                c,
            }),
            // Table cells, images, footnotes…: keep their text in reading order.
            (_, Frame::Inlines(c)) => {
                for i in c {
                    self.inline(i);
                }
            }
            (_, Frame::Blocks(c)) => {
                for b in c {
                    self.block(b);
                }
            }
            (_, Frame::List { items, .. }) => {
                for b in items.into_iter().flatten() {
                    self.block(b);
                }
            }
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(Inline::Text { v }) = self.current_inlines().last_mut() {
            v.push_str(t);
            return;
        }
        self.inline(Inline::Text { v: t.to_string() });
    }

    fn inline(&mut self, inline: Inline) {
        self.current_inlines().push(inline);
    }

    fn current_inlines(&mut self) -> &mut Vec<Inline> {
        let needs_para = !matches!(self.stack.last(), Some((_, Frame::Inlines(_))));
        if needs_para {
            self.stack.push((None, Frame::Inlines(vec![])));
        }
        match self.stack.last_mut() {
            Some((_, Frame::Inlines(v))) => v,
            _ => unreachable!("an inline frame was just pushed"),
        }
    }

    fn block(&mut self, block: Block) {
        // A block closes any implicit paragraph opened for loose inline text.
        while matches!(self.stack.last(), Some((None, _))) {
            self.close_implicit_para();
        }
        match self.stack.last_mut() {
            Some((_, Frame::Blocks(v))) => v.push(block),
            Some((_, Frame::List { items, .. })) => items.push(vec![block]),
            Some((_, Frame::Inlines(v))) => v.push(Inline::Text {
                v: plain_block(&block),
            }),
            None => self.root.push(block),
        }
    }

    /// Tight list items hold text without a paragraph; the builder opens one
    /// (tagged `None`) and closes it here.
    fn close_implicit_para(&mut self) {
        if let Some((None, Frame::Inlines(c))) = self.stack.pop() {
            self.block(Block::Para { c });
        }
    }

    fn finish(mut self) -> Vec<Block> {
        while !self.stack.is_empty() {
            self.end();
        }
        self.root
    }
}

fn plain(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text { v } | Inline::Code { v } => v.clone(),
            Inline::Strong { c } | Inline::Emph { c } | Inline::Strike { c } => plain(c),
            Inline::Link { c, .. } => plain(c),
            Inline::Break => "\n".into(),
        })
        .collect()
}

fn plain_block(block: &Block) -> String {
    match block {
        Block::Para { c } | Block::Heading { c } => plain(c),
        Block::Code { text } => text.clone(),
        Block::Quote { c } => c.iter().map(plain_block).collect::<Vec<_>>().join("\n"),
        Block::List { items, .. } => items
            .iter()
            .flatten()
            .map(plain_block)
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Rule => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &str) -> Inline {
        Inline::Text { v: v.into() }
    }

    #[test]
    fn a_line_break_inside_japanese_is_no_space_and_beside_latin_is_one() {
        let para = |t: &str| match &to_blocks(t)[..] {
            [Block::Para { c }] => c.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            para("修正プログラムを適用する。\nファイアウォールを確認する。"),
            vec![text(
                "修正プログラムを適用する。ファイアウォールを確認する。"
            )]
        );
        assert_eq!(para("VPN\nの記録"), vec![text("VPN の記録")]);
        assert_eq!(para("記録は\nVPN"), vec![text("記録は VPN")]);
        assert_eq!(para("first\nsecond"), vec![text("first second")]);
        assert_eq!(para("한국\n어"), vec![text("한국 어")]);
        assert_eq!(
            para("**窓口（内線 2101）** に連絡"),
            vec![
                Inline::Strong {
                    c: vec![text("窓口（内線 2101）")]
                },
                text("に連絡")
            ]
        );
        assert_eq!(
            para("**VPN** の記録"),
            vec![
                Inline::Strong {
                    c: vec![text("VPN")]
                },
                text(" の記録")
            ]
        );
        // Across emphasis: the characters either side decide.
        assert_eq!(
            para("公表から\n**一か月以内**"),
            vec![
                text("公表から"),
                Inline::Strong {
                    c: vec![text("一か月以内")]
                }
            ]
        );
    }

    #[test]
    fn paragraphs_lists_and_emphasis() {
        let blocks =
            to_blocks("前文 **重要** です。\n\n- 一つ目\n- 二つ目 [JVN](https://jvn.jp)\n");
        assert_eq!(
            blocks,
            vec![
                Block::Para {
                    c: vec![
                        text("前文 "),
                        Inline::Strong {
                            c: vec![text("重要")]
                        },
                        text(" です。")
                    ]
                },
                Block::List {
                    ordered: false,
                    start: 1,
                    items: vec![
                        vec![Block::Para {
                            c: vec![text("一つ目")]
                        }],
                        vec![Block::Para {
                            c: vec![
                                text("二つ目 "),
                                Inline::Link {
                                    url: "https://jvn.jp".into(),
                                    c: vec![text("JVN")]
                                }
                            ]
                        }],
                    ]
                },
            ]
        );
    }

    #[test]
    fn markup_and_html_stay_text() {
        let blocks = to_blocks("#read(\"/etc/passwd\") <b>x</b> $y$");
        assert_eq!(
            plain_block(&blocks[0]),
            "#read(\"/etc/passwd\") <b>x</b> $y$"
        );
    }

    #[test]
    fn images_keep_only_alt_text() {
        let blocks = to_blocks("![構成図](/etc/passwd)");
        assert_eq!(
            blocks,
            vec![Block::Para {
                c: vec![text("構成図")]
            }]
        );
    }
}
