//! Drawing the chat: a title row with the provider and model (and a spinner while a request
//! runs), the conversation wrapped to the width and scrolled from its end, the proposed
//! change as its diff, and the input below a row of hints.
//!
//! Only the end of the conversation that fits is wrapped (blocks are taken from the last one
//! back), so a frame costs the same with ten turns or two hundred, and streaming text (which
//! only grows the last block) does not slow drawing down.

use super::state::{ChatState, Entry};
use crate::ui::ctx::Ctx;
use crate::ui::widgets::{ellipsize, fill, put, wrap};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// Spinner frames, one per 100 ms.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// At most this many rows of input show (it scrolls inside).
const INPUT_ROWS: u16 = 5;

/// One row of the conversation.
type Row = (String, Style);

/// Draws the chat into `area`.
pub fn draw(st: &ChatState, cx: &Ctx<'_>, buf: &mut Buffer, area: Rect) {
    let t = cx.theme;
    let base = t.get("chat");
    fill(buf, area, base);
    // As a panel (right of the view), a rule divides it from the view.
    let mut area = area;
    if area.x > 0 && area.width > 1 {
        for y in area.y..area.y + area.height {
            crate::ui::widgets::set(buf, area.x, y, '│', t.get("ui.border"));
        }
        area.x += 1;
        area.width -= 1;
    }
    if area.height < 4 || area.width < 12 {
        return;
    }
    let right = area.x + area.width;
    // Title: what answers, and what it is doing.
    let title = match st.title().as_str() {
        "" => " Chat".to_string(),
        s => format!(" Chat  {s}"),
    };
    let x = put(buf, area.x, area.y, &title, right, t.get("chat.title"));
    if let Some(p) = &st.pending {
        let frame = SPINNER[(p.started.elapsed().as_millis() / 100) as usize % SPINNER.len()];
        let what = if p.cancelling {
            "cancelling".to_string()
        } else {
            format!(
                "{frame} {:.0} s  esc cancels",
                p.started.elapsed().as_secs_f64()
            )
        };
        let w = what.chars().count() as u16 + 1;
        if right > x + w {
            put(buf, right - w, area.y, &what, right, t.get("chat.note"));
        }
    }
    // The input at the bottom, below a row of hints.
    let rows = (st.input.lines().len() as u16).clamp(1, INPUT_ROWS);
    let input = Rect::new(
        area.x + 1,
        area.y + area.height - rows,
        area.width.saturating_sub(2),
        rows,
    );
    let hint_y = input.y - 1;
    let hint = if st.typing {
        "─ enter sends · alt-enter or C-j new line · esc stops typing "
    } else if st.proposal.as_ref().is_some_and(|p| p.applied.is_none()) {
        "─ a applies · p plays · i types · u undoes "
    } else {
        "─ i or enter types · j k scroll · :chat panel "
    };
    let line: String = std::iter::repeat_n('─', area.width as usize).collect();
    put(buf, area.x, hint_y, &line, right, t.get("chat.note"));
    put(buf, area.x, hint_y, hint, right, t.get("chat.note"));
    fill(buf, input, t.get("chat.input"));
    (&st.input).render(input, buf);
    // The conversation between the title and the hints.
    let body = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        hint_y.saturating_sub(area.y + 1),
    );
    let (rows, _) = visible_rows(st, cx, body.width as usize, body.height as usize);
    for (i, (text, style)) in rows.iter().enumerate() {
        put(
            buf,
            body.x,
            body.y + i as u16,
            text,
            body.x + body.width,
            *style,
        );
    }
}

/// The rows that show in a body `height` rows high, top first, after the scroll; and how
/// many rows were wrapped to find them. Blocks are taken from the last one back, and in a
/// block paragraphs from its last, each wrapped only when reached.
pub fn visible_rows(
    st: &ChatState,
    cx: &Ctx<'_>,
    width: usize,
    height: usize,
) -> (Vec<Row>, usize) {
    let t = cx.theme;
    let want = height.saturating_add(st.scroll);
    let mut rev: Vec<Row> = Vec::new();
    if let Some(p) = &st.proposal {
        rev.extend(proposal_rows(p, cx, width).into_iter().rev());
    }
    if let Some(p) = &st.pending {
        let head = ("assistant".to_string(), t.get("chat.assistant"));
        push_text(
            &mut rev,
            want,
            Some(head),
            &p.text,
            width,
            t.get("chat"),
            cx,
        );
    }
    for e in st.entries.iter().rev() {
        if rev.len() >= want {
            break;
        }
        let (head, text, style) = match e {
            Entry::You(s) => (Some(("you", "chat.user")), s.as_str(), "chat"),
            Entry::Assistant(s) => (Some(("assistant", "chat.assistant")), s.as_str(), "chat"),
            Entry::Note(s) => (None, s.as_str(), "chat.note"),
            Entry::Error(s) => (None, s.as_str(), "chat.error"),
        };
        let head = head.map(|(h, scope)| (h.to_string(), t.get(scope)));
        if let Entry::Error(_) = e {
            let text = format!("! {text}");
            push_text(&mut rev, want, head, &text, width, t.get(style), cx);
        } else {
            push_text(&mut rev, want, head, text, width, t.get(style), cx);
        }
    }
    let total = rev.len();
    let scroll = st.scroll.min(total.saturating_sub(height));
    let shown: Vec<Row> = rev.into_iter().skip(scroll).take(height).collect();
    (shown.into_iter().rev().collect(), total)
}

/// Pushes a block onto `rev` bottom first: a blank row, the text's paragraphs from the last
/// (stopping once `want` rows are there), then its heading.
fn push_text(
    rev: &mut Vec<Row>,
    want: usize,
    head: Option<Row>,
    text: &str,
    width: usize,
    style: Style,
    cx: &Ctx<'_>,
) {
    rev.push((String::new(), cx.theme.get("chat")));
    for para in text.lines().rev() {
        if rev.len() >= want {
            return;
        }
        rev.extend(wrap(para, width).into_iter().rev().map(|l| (l, style)));
    }
    rev.extend(head);
}

fn proposal_rows(p: &super::state::Proposal, cx: &Ctx<'_>, width: usize) -> Vec<Row> {
    let t = cx.theme;
    let mut b = vec![("Proposed change".to_string(), t.get("chat.title"))];
    for l in &p.diff {
        let style = match l.chars().next() {
            Some('+') => t.get("chat.diff.add"),
            Some('-') => t.get("chat.diff.remove"),
            _ => t.get("chat.diff.change"),
        };
        b.extend(wrap(l, width).into_iter().map(|l| (l, style)));
    }
    let hint = match p.applied {
        None if p.notes.is_empty() => "a applies it as one undo step".to_string(),
        None => "a applies it as one undo step · p plays it first".to_string(),
        Some(_) => "applied · u takes all of it back".to_string(),
    };
    b.push((ellipsize(&hint, width), t.get("chat.note")));
    b.push((String::new(), t.get("chat")));
    b
}
