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
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A "nice" upper bound for the y axis: 1, 2 or 5 × 10^k above `max`.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * magnitude)
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
        let top = nice_ceiling(values().fold(0.0, f64::max));
        // Below zero only when a value is (form, for one).
        let min = values().fold(0.0, f64::min);
        let bottom = if min < 0.0 { -nice_ceiling(-min) } else { 0.0 };
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
        for g in &self.guides {
            let (y1, y2) = (y(g.to), y(g.from));
            if (y2 - y1).abs() < 0.5 {
                let _ = write!(
                    out,
                    r#"<line class="guide-line" x1="{LEFT}" x2="{}" y1="{y1:.1}" y2="{y1:.1}"/>"#,
                    W - RIGHT
                );
            } else {
                let _ = write!(
                    out,
                    r#"<rect class="guide-band" x="{LEFT}" width="{plot_w}" y="{y1:.1}" height="{:.1}"/>"#,
                    y2 - y1
                );
            }
            let _ = write!(
                out,
                r#"<text class="guide-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - RIGHT - 2.0,
                y1 - 2.0,
                escape(g.label)
            );
        }
        for k in 0..=4 {
            let v = bottom + (top - bottom) * f64::from(k) / 4.0;
            let _ = write!(
                out,
                r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - RIGHT,
                LEFT - 4.0,
                y(v) + 4.0,
                trim(v),
                yy = y(v)
            );
        }
        let step = n.div_ceil(8);
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
                            pen_down = true;
                        }
                        None => pen_down = false,
                    }
                }
                let _ = write!(
                    out,
                    r#"<path class="{} line" d="{}"><title>{}</title></path>"#,
                    s.class,
                    d.trim_end(),
                    escape(s.name)
                );
            }
        }
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
        assert_eq!(nice_ceiling(30.0), 50.0);
        assert_eq!(nice_ceiling(1.7), 2.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert!(c.legend().contains("c-done"));
    }
}
