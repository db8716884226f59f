//! Server-rendered SVG charts: no JavaScript, readable on a phone, and
//! titled and described for screen readers (`<title>`, `<desc>`, role=img).

use std::fmt::Write;

/// One line or set of bars.
pub struct Series<'a> {
    pub name: &'a str,
    /// CSS class giving the colour (see app.css `.c-*`).
    pub class: &'a str,
    pub values: Vec<Option<f64>>,
    pub bars: bool,
}

/// A horizontal band (e.g. ACWR's 0.8–1.3 sweet spot) or a line (1.5).
pub struct Guide<'a> {
    pub label: &'a str,
    pub from: f64,
    pub to: f64,
}

pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: String,
    pub labels: Vec<String>,
    pub series: Vec<Series<'a>>,
    pub guides: Vec<Guide<'a>>,
    pub unit: &'a str,
    /// What the y axis counts, written above it ("km a week", "score
    /// 0–10"): a number on a chart says nothing without it.
    pub axis: &'a str,
}

// Drawn for a phone: a 360-unit wide chart fills a 390 px screen at about
// one unit per pixel, so the 13-unit labels (app.css) read at 12 px or more.
// Desktops lay charts out two abreast so they do not grow much larger.
const W: f64 = 360.0;
const H: f64 = 210.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 6.0;
/// Room above the plot for the y axis's caption.
const TOP: f64 = 26.0;
const BOTTOM: f64 = 26.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The y axis: evenly spaced ticks at 1, 2 or 5 × 10^k covering `lo..=hi`
/// (at most six), whole numbers when the data are counts, and each label
/// written with as many decimals as its step needs (never 0.25 → "0.2").
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub bottom: f64,
    pub top: f64,
    pub step: f64,
    decimals: usize,
}

impl Ticks {
    pub fn new(lo: f64, hi: f64, whole: bool) -> Ticks {
        let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
        let hi = if hi.is_finite() { hi.max(lo) } else { lo };
        let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        let raw = span / 4.0;
        let k = raw.log10().floor() as i32;
        let magnitude = 10f64.powi(k);
        let mut step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|v| *v >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0 * magnitude);
        let mut decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10().floor()) as usize
        };
        if whole && step < 1.0 {
            step = 1.0;
            decimals = 0;
        }
        let bottom = (lo / step + 1e-9).floor() * step;
        let mut top = (hi / step - 1e-9).ceil() * step;
        if top <= bottom {
            top = bottom + step;
        }
        Ticks {
            bottom,
            top,
            step,
            decimals,
        }
    }

    pub fn values(&self) -> Vec<f64> {
        let n = ((self.top - self.bottom) / self.step).round() as i64;
        (0..=n)
            .map(|i| self.bottom + i as f64 * self.step)
            .collect()
    }

    pub fn label(&self, v: f64) -> String {
        let s = format!("{v:.*}", self.decimals);
        // Zero is "0" ("-0" or "0.0" read as mistakes).
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".to_owned()
        } else {
            s
        }
    }
}

impl Chart<'_> {
    pub fn render(&self) -> String {
        let n = self.labels.len().max(1);
        let values = || {
            self.series
                .iter()
                .flat_map(|s| s.values.iter().flatten())
                .copied()
                .chain(self.guides.iter().map(|g| g.to))
        };
        // Counts (sessions, clicks, pain scores) get whole-number ticks.
        let whole = values().all(|v| (v - v.round()).abs() < 1e-9);
        // Below zero only when a value is (freshness, for one).
        let ticks = Ticks::new(
            values().fold(0.0, f64::min),
            values().fold(0.0, f64::max),
            whole,
        );
        let (bottom, top) = (ticks.bottom, ticks.top);
        let plot_w = W - LEFT - RIGHT;
        let plot_h = H - TOP - BOTTOM;
        let x = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
        let y = |v: f64| TOP + plot_h * (top - v) / (top - bottom);
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
            id = self.id,
            title = escape(self.title),
            desc = escape(&self.desc)
        );
        // The y axis's caption, above its labels.
        if !self.axis.is_empty() {
            let _ = write!(
                out,
                r#"<text class="axis axis-title" x="4" y="{:.1}">{}</text>"#,
                TOP - 10.0,
                escape(self.axis)
            );
        }
        // Gridlines first: guides and their labels are drawn over them.
        for v in ticks.values() {
            let _ = write!(
                out,
                r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - RIGHT,
                LEFT - 4.0,
                y(v) + 4.5,
                ticks.label(v),
                yy = y(v)
            );
        }
        // Guide labels go on top of the bars and lines, drawn last.
        let mut labels = String::new();
        for g in &self.guides {
            let (y1, y2) = (y(g.to), y(g.from));
            let band = (y2 - y1).abs() >= 0.5;
            if band {
                let _ = write!(
                    out,
                    r#"<rect class="guide-band" x="{LEFT}" width="{plot_w}" y="{y1:.1}" height="{:.1}"/>"#,
                    y2 - y1
                );
            } else {
                let _ = write!(
                    out,
                    r#"<line class="guide-line" x1="{LEFT}" x2="{}" y1="{y1:.1}" y2="{y1:.1}"/>"#,
                    W - RIGHT
                );
            }
            // Bands are labelled at the left, lines at the right, so a
            // band and a line close above it do not print over each other.
            // A label sits above its line (inside its band) unless that
            // would leave the plot, then below it; a halo in the card's
            // colour keeps gridlines from crossing the letters.
            let above = if band { y2 - 3.0 } else { y1 - 4.0 };
            let label_y = if above - 11.0 < TOP { y1 + 14.0 } else { above };
            let _ = write!(
                labels,
                r#"<text class="guide-label" x="{}" y="{label_y:.1}" text-anchor="{}">{}</text>"#,
                if band { LEFT + 4.0 } else { W - RIGHT - 2.0 },
                if band { "start" } else { "end" },
                escape(g.label)
            );
        }
        // Six labels at most: each needs about 40 units at 13 units a letter.
        let step = n.div_ceil(6);
        for (i, l) in self
            .labels
            .iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
        {
            let _ = write!(
                out,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x(i),
                H - 8.0,
                escape(l)
            );
        }
        let bar_series = self.series.iter().filter(|s| s.bars).count().max(1);
        let slot = plot_w / n as f64 * 0.8;
        let mut bar_index = 0;
        for s in &self.series {
            if s.bars {
                let w = slot / bar_series as f64;
                for (i, v) in s.values.iter().enumerate() {
                    if let Some(v) = v {
                        let x0 = x(i) - slot / 2.0 + w * bar_index as f64;
                        let _ = write!(
                            out,
                            r#"<rect class="{}" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}: {} {}{}</title></rect>"#,
                            s.class,
                            y(v.max(0.0)),
                            w.max(1.0),
                            (y(0.0) - y(*v)).abs(),
                            escape(&self.labels[i]),
                            escape(s.name),
                            trim(*v),
                            self.unit
                        );
                    }
                }
                bar_index += 1;
            } else {
                let mut d = String::new();
                let mut dots = String::new();
                let mut pen_down = false;
                for (i, v) in s.values.iter().enumerate() {
                    match v {
                        Some(v) => {
                            let _ = write!(
                                d,
                                "{}{:.1},{:.1} ",
                                if pen_down { "L" } else { "M" },
                                x(i),
                                y(*v)
                            );
                            // A dot per week (a lone week, which a line
                            // cannot draw, still shows); daily lines keep
                            // dots for lone days only.
                            let lone = (i == 0 || s.values[i - 1].is_none())
                                && s.values.get(i + 1).is_none_or(Option::is_none);
                            if n <= 26 || lone {
                                let _ = write!(
                                    dots,
                                    r#"<circle class="{} dot" cx="{:.1}" cy="{:.1}" r="3"><title>{}: {} {}{}</title></circle>"#,
                                    s.class,
                                    x(i),
                                    y(*v),
                                    escape(&self.labels[i]),
                                    escape(s.name),
                                    trim(*v),
                                    self.unit
                                );
                            }
                            pen_down = true;
                        }
                        None => pen_down = false,
                    }
                }
                let _ = write!(
                    out,
                    r#"<path class="{} line" d="{}"><title>{}</title></path>{dots}"#,
                    s.class,
                    d.trim_end(),
                    escape(s.name)
                );
            }
        }
        out.push_str(&labels);
        out.push_str("</svg>");
        out
    }

    /// The legend as HTML (kept outside the SVG so it wraps on phones).
    pub fn legend(&self) -> String {
        let items: String = self
            .series
            .iter()
            .map(|s| {
                format!(
                    r#"<li><span class="swatch {}"></span>{}</li>"#,
                    s.class,
                    escape(s.name)
                )
            })
            .collect();
        format!(r#"<ul class="chart-legend">{items}</ul>"#)
    }
}

/// A value in a bar's tooltip: whole numbers without decimals.
fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_accessible_and_scaled() {
        let c = Chart {
            id: "vol",
            title: "Weekly volume",
            desc: "Planned against done kilometres for 3 weeks.".into(),
            labels: vec!["W1".into(), "W2".into(), "W3".into()],
            series: vec![
                Series {
                    name: "planned",
                    class: "c-planned",
                    values: vec![Some(20.0), Some(22.0), Some(24.0)],
                    bars: true,
                },
                Series {
                    name: "done",
                    class: "c-done",
                    values: vec![Some(18.0), None, Some(30.0)],
                    bars: false,
                },
            ],
            guides: vec![Guide {
                label: "limit",
                from: 25.0,
                to: 25.0,
            }],
            unit: " km",
            axis: "km a week",
        };
        let svg = c.render();
        assert!(svg.starts_with("<svg class=\"chart\"") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"<title id="vol-t">Weekly volume</title>"#));
        assert!(svg.contains("role=\"img\""));
        assert_eq!(svg.matches("<rect class=\"c-planned\"").count(), 3);
        // The line breaks at the missing week instead of drawing through it.
        let d = svg
            .split("class=\"c-done line\" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 0, "{d}");
        assert!(svg.contains("<title>W3: planned 24 km</title>"));
        assert!(c.legend().contains("c-done"));
    }

    /// On a phone: the y axis says what it counts, a lone week shows as a
    /// dot, and a guide's label stays inside the drawing, over the bars.
    #[test]
    fn reads_on_a_phone() {
        let c = Chart {
            id: "pain",
            title: "Pain by week",
            desc: String::new(),
            labels: vec!["W1".into(), "W2".into(), "W3".into()],
            series: vec![
                Series {
                    name: "knee",
                    class: "c-pain",
                    values: vec![Some(3.0), Some(4.0), None],
                    bars: true,
                },
                Series {
                    name: "ratio",
                    class: "c-acwr",
                    values: vec![None, Some(1.1), None],
                    bars: false,
                },
            ],
            guides: vec![Guide {
                label: "4: plan eases",
                from: 4.0,
                to: 4.0,
            }],
            unit: "/10",
            axis: "pain score (0–10)",
        };
        let svg = c.render();
        assert!(
            svg.contains(
                r#"<text class="axis axis-title" x="4" y="16.0">pain score (0–10)</text>"#
            )
        );
        assert_eq!(svg.matches("<circle class=\"c-acwr dot\"").count(), 1);
        // The guide sits at the top of the scale: its label goes below the
        // line rather than off the drawing, and after the bars.
        let label = svg.split("<text class=\"guide-label\"").nth(1).unwrap();
        let y: f64 = label
            .split("y=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(y > TOP + 11.0, "{y}");
        assert!(svg.rfind("guide-label").unwrap() > svg.rfind("c-pain").unwrap());
    }

    fn labels(lo: f64, hi: f64, whole: bool) -> Vec<String> {
        let t = Ticks::new(lo, hi, whole);
        t.values().iter().map(|v| t.label(*v)).collect()
    }

    #[test]
    fn ticks_read_as_written() {
        assert_eq!(labels(0.0, 30.0, false), ["0", "10", "20", "30"]);
        assert_eq!(labels(0.0, 1.0, false), ["0", "0.5", "1.0"]);
        assert_eq!(labels(0.0, 1.6, false), ["0", "0.5", "1.0", "1.5", "2.0"]);
        // Two sessions a week: 0, 1, 2 — not 0, 0.5, 1, 1.5, 2.
        assert_eq!(labels(0.0, 2.0, true), ["0", "1", "2"]);
        assert_eq!(labels(0.0, 0.0, true), ["0", "1"]);
        assert_eq!(labels(-20.0, 8.0, true), ["-20", "-10", "0", "10"]);
        assert_eq!(labels(0.0, 0.12, false), ["0", "0.05", "0.10", "0.15"]);
    }

    proptest::proptest! {
        #[test]
        fn ticks_cover_the_data_evenly(
            lo in -500.0f64..0.0, span in 0.0f64..2_000.0, whole: bool,
        ) {
            let hi = lo + span;
            let t = Ticks::new(lo, hi, whole);
            let v = t.values();
            proptest::prop_assert!(v.len() >= 2 && v.len() <= 6, "{v:?}");
            proptest::prop_assert!(t.bottom <= lo.min(0.0) + 1e-9 && t.top >= hi - 1e-9);
            let shown: Vec<String> = v.iter().map(|x| t.label(*x)).collect();
            let mut distinct = shown.clone();
            distinct.dedup();
            proptest::prop_assert_eq!(&distinct, &shown);
            for (x, l) in v.iter().zip(&shown) {
                // Each label is its tick's value, not a rounding of it.
                let back: f64 = l.parse().unwrap();
                proptest::prop_assert!((back - x).abs() < t.step * 1e-6, "{} vs {}", l, x);
                if whole {
                    proptest::prop_assert!(!l.contains('.'));
                }
            }
        }
    }
}
