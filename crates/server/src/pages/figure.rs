//! A movement's stick figure as inline SVG, from `core::poses`: the start
//! and end positions side by side (what print and reduced motion show), and
//! the same figure moving between them (SMIL, no script). Lines take
//! `currentColor`, so the figure follows the page's light or dark theme.

use std::fmt::Write;

use runcoach_core::exercises::Exercise;
use runcoach_core::poses::{self, FLOOR, Figure, HEAD_R, HEIGHT, Joint, Skeleton, WIDTH};

/// Frames the moving figure passes through each way.
const FRAMES: usize = 7;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The lines of a figure, each a list of joints: far limbs first so the
/// near ones are drawn over them.
const LINES: [(&str, &[Joint]); 5] = [
    ("far", &[Joint::Shoulder, Joint::FarElbow, Joint::FarHand]),
    (
        "far",
        &[Joint::Hip, Joint::FarKnee, Joint::FarAnkle, Joint::FarToe],
    ),
    ("", &[Joint::Hip, Joint::Shoulder, Joint::Head]),
    (
        "",
        &[
            Joint::Hip,
            Joint::NearKnee,
            Joint::NearAnkle,
            Joint::NearToe,
        ],
    ),
    ("", &[Joint::Shoulder, Joint::NearElbow, Joint::NearHand]),
];

fn points(s: &Skeleton, joints: &[Joint], dx: f64) -> String {
    joints
        .iter()
        .map(|j| {
            let (x, y) = s.at(*j);
            format!("{:.1},{:.1}", x + dx, y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The kit and floor under a figure placed `dx` to the right.
fn scenery(out: &mut String, f: &Figure, bench: Option<[f64; 4]>, dx: f64) {
    if f.floor {
        let _ = write!(
            out,
            r#"<line class="floor" x1="{:.1}" y1="{FLOOR:.1}" x2="{:.1}" y2="{FLOOR:.1}" stroke="currentColor"/>"#,
            dx + 2.0,
            dx + WIDTH - 2.0
        );
    }
    if let Some([x, y, w, h]) = bench {
        let _ = write!(
            out,
            r#"<rect class="kit" x="{:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="1.5"/>"#,
            x + dx
        );
    }
}

/// One still figure (start or end) placed `dx` to the right.
fn still(out: &mut String, f: &Figure, s: &Skeleton, dx: f64) {
    out.push_str(r#"<g class="body" fill="none" stroke="currentColor" stroke-width="3.4" stroke-linecap="round" stroke-linejoin="round">"#);
    for (class, joints) in LINES {
        let _ = write!(
            out,
            r#"<polyline{} points="{}"/>"#,
            if class.is_empty() {
                String::new()
            } else {
                format!(r#" class="{class}""#)
            },
            points(s, joints, dx)
        );
    }
    let (hx, hy) = s.at(Joint::Head);
    let _ = write!(
        out,
        r#"<circle class="head" cx="{:.1}" cy="{hy:.1}" r="{HEAD_R}" fill="currentColor"/>"#,
        hx + dx
    );
    if let Some([a, b]) = f.band {
        let (p, q) = (s.at(a), s.at(b));
        let _ = write!(
            out,
            r#"<line class="band" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            p.0 + dx,
            p.1,
            q.0 + dx,
            q.1
        );
    }
    if let Some(j) = f.ball {
        let (x, y) = s.at(j);
        let _ = write!(
            out,
            r#"<circle class="ball" cx="{:.1}" cy="{:.1}" r="3.5"/>"#,
            x + dx,
            y + 3.5
        );
    }
    out.push_str("</g>");
}

/// Where a drawing starts from the top: just above the highest point any
/// frame reaches, leaving room for the caption, so a figure lying on the
/// floor is drawn as large as a standing one.
fn top(placed: &poses::Placed) -> f64 {
    let highest = placed
        .frames
        .iter()
        .map(|s| s.bounds()[1])
        .chain(placed.bench.map(|b| b[1]))
        .fold(FLOOR, f64::min);
    (highest - 12.0).clamp(0.0, FLOOR - 30.0).floor()
}

/// What a screen reader hears for the figure: the movement and how it
/// starts and ends, in the library's own words.
pub fn alt(e: &Exercise) -> String {
    let first = e.steps.first().map_or("", String::as_str);
    let last = e.steps.last().map_or("", String::as_str);
    format!(
        "{}, drawn at the start (left) and the end (right): {first} {last}",
        e.name
    )
}

/// Start and end side by side, with a label; `None` for a movement
/// without a figure.
pub fn positions(e: &Exercise) -> Option<String> {
    let f = poses::figure(&e.id)?;
    let placed = f.place(2);
    let y0 = top(&placed);
    let mut out = format!(
        r#"<svg class="figure" viewBox="0 {y0} {w} {h}" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">"#,
        w = 2.0 * WIDTH,
        h = HEIGHT - y0,
        label = html_escape(&alt(e)),
    );
    for (i, word) in ["Start", "End"].iter().enumerate() {
        let dx = i as f64 * WIDTH;
        scenery(&mut out, f, placed.bench, dx);
        still(&mut out, f, &placed.frames[i], dx);
        let _ = write!(
            out,
            r#"<text class="caption" x="{:.1}" y="{:.1}" fill="currentColor" aria-hidden="true">{word}</text>"#,
            dx + 3.0,
            y0 + 9.0
        );
    }
    let _ = write!(
        out,
        r#"<line class="divider" x1="{WIDTH}" y1="{:.1}" x2="{WIDTH}" y2="{:.1}" stroke="currentColor"/>"#,
        y0 + 4.0,
        HEIGHT - 4.0
    );
    out.push_str("</svg>");
    Some(out)
}

/// The figure moving from start to end and back, pausing at each; hidden
/// from screen readers (the still one carries the words) and, by the style
/// sheet, from those who ask for reduced motion and from print.
pub fn moving(e: &Exercise) -> Option<String> {
    let f = poses::figure(&e.id)?;
    let placed = f.place(FRAMES);
    // Out and back, holding a moment at both ends.
    let mut order: Vec<usize> = vec![0];
    order.extend(0..FRAMES);
    order.push(FRAMES - 1);
    order.extend((0..FRAMES - 1).rev());
    let frames: Vec<&Skeleton> = order.iter().map(|i| &placed.frames[*i]).collect();
    let anim = |attr: &str, values: Vec<String>| {
        format!(
            r#"<animate attributeName="{attr}" dur="4s" repeatCount="indefinite" values="{}"/>"#,
            values.join(";")
        )
    };
    let y0 = top(&placed);
    let mut out = format!(
        r#"<svg class="figure figure-move" viewBox="0 {y0} {WIDTH} {h}" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">"#,
        h = HEIGHT - y0
    );
    scenery(&mut out, f, placed.bench, 0.0);
    out.push_str(r#"<g class="body" fill="none" stroke="currentColor" stroke-width="3.4" stroke-linecap="round" stroke-linejoin="round">"#);
    for (class, joints) in LINES {
        let _ = write!(
            out,
            r#"<polyline{} points="{}">{}</polyline>"#,
            if class.is_empty() {
                String::new()
            } else {
                format!(r#" class="{class}""#)
            },
            points(frames[0], joints, 0.0),
            anim(
                "points",
                frames.iter().map(|s| points(s, joints, 0.0)).collect()
            )
        );
    }
    let coord = |j: Joint, y: bool| -> Vec<String> {
        frames
            .iter()
            .map(|s| {
                let p = s.at(j);
                format!("{:.1}", if y { p.1 } else { p.0 })
            })
            .collect()
    };
    let (hx, hy) = frames[0].at(Joint::Head);
    let _ = write!(
        out,
        r#"<circle class="head" cx="{hx:.1}" cy="{hy:.1}" r="{HEAD_R}" fill="currentColor">{}{}</circle>"#,
        anim("cx", coord(Joint::Head, false)),
        anim("cy", coord(Joint::Head, true)),
    );
    if let Some([a, b]) = f.band {
        let (p, q) = (frames[0].at(a), frames[0].at(b));
        let _ = write!(
            out,
            r#"<line class="band" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}">{}{}{}{}</line>"#,
            p.0,
            p.1,
            q.0,
            q.1,
            anim("x1", coord(a, false)),
            anim("y1", coord(a, true)),
            anim("x2", coord(b, false)),
            anim("y2", coord(b, true)),
        );
    }
    if let Some(j) = f.ball {
        let (x, y) = frames[0].at(j);
        let _ = write!(
            out,
            r#"<circle class="ball" cx="{x:.1}" cy="{:.1}" r="3.5"/>"#,
            y + 3.5
        );
    }
    out.push_str("</g></svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use runcoach_core::exercises::library;

    #[test]
    fn every_movement_draws_still_and_moving() {
        for e in library() {
            let still = positions(e).unwrap_or_else(|| panic!("{} has no figure", e.id));
            assert!(still.starts_with("<svg") && still.ends_with("</svg>"));
            assert!(still.contains(r#"role="img""#), "{}", e.id);
            assert!(still.contains(&html_escape(&e.name)), "{} labelled", e.id);
            // Two positions: two heads, ten limb lines.
            assert_eq!(
                still.matches(r#"<circle class="head""#).count(),
                2,
                "{}",
                e.id
            );
            assert_eq!(still.matches("<polyline").count(), 10, "{}", e.id);
            assert!(!still.contains("NaN") && !still.contains("inf"), "{}", e.id);
            let moving = moving(e).unwrap();
            assert!(moving.contains(r#"aria-hidden="true""#));
            // Every line and the head move; 2·7 frames plus the two pauses.
            assert!(moving.matches("<animate ").count() >= 7, "{}", e.id);
            let values = moving.split("values=\"").nth(1).unwrap();
            let values = &values[..values.find('"').unwrap()];
            assert_eq!(values.split(';').count(), 2 * FRAMES + 1, "{}", e.id);
        }
    }

    /// A throwaway contact sheet of every figure for eyeballing:
    /// `FIGURES_SHEET=/tmp/f.html cargo test -p runcoach-server --lib sheet -- --ignored`.
    #[test]
    #[ignore]
    fn sheet() {
        let mut html = String::from(
            "<!doctype html><style>svg{width:360px;border:1px solid #ccc}.far{opacity:.4}.kit{fill:#ccc}.band{stroke:teal;stroke-width:1.5}.floor{stroke-width:1}.caption{font:8px sans-serif}</style>",
        );
        for e in library() {
            let _ = write!(
                html,
                "<div><b>{}</b><br>{}{}</div>",
                e.id,
                positions(e).unwrap(),
                moving(e).unwrap()
            );
        }
        std::fs::write(std::env::var("FIGURES_SHEET").unwrap(), html).unwrap();
    }
}
