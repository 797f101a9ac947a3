//! Charts drawn with plotters, generic over the backend: a `<canvas>` in the browser, an SVG string in tests.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::borrow::Cow;
use std::ops::Range;

/// The Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
];

/// How a chart is dressed: the device pixel ratio (so text and lines keep their CSS size) and the colour scheme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartTheme {
    /// Device pixels per CSS pixel.
    pub scale: f64,
    /// Whether the page uses its dark colour scheme.
    pub dark: bool,
    /// Thumbnail mode: no axes, labels or legend, just the data.
    pub compact: bool,
}

impl ChartTheme {
    /// The colour of text, axes and rules.
    pub fn ink(&self) -> RGBColor {
        if self.dark {
            RGBColor(0xE6, 0xE8, 0xEE)
        } else {
            RGBColor(0x1F, 0x23, 0x2B)
        }
    }

    fn grid(&self) -> RGBAColor {
        self.ink().mix(0.12)
    }

    fn px(&self, css_px: f64) -> u32 {
        (css_px * self.scale).round() as u32
    }

    fn text(&self, css_px: f64) -> TextStyle<'static> {
        ("sans-serif", css_px * self.scale).into_font().color(&self.ink())
    }
}

/// What every chart function returns: plotters' error for the backend in use.
pub type ChartResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Margin and label-area sizes of [`bar_chart`], in CSS pixels: (margin, x labels, y labels).
const BAR_LAYOUT: (f64, f64, f64) = (8.0, 20.0, 44.0);

/// Margin and label-area sizes of [`line_chart`], in CSS pixels: (margin, x labels, y labels).
const LINE_LAYOUT: (f64, f64, f64) = (8.0, 36.0, 52.0);

/// The plotting rectangle of a [`bar_chart`] on a `width` × `height` px area: (left, top, right, bottom) in the
/// same pixels, so pointer positions can be mapped back to bars and values.
pub fn bar_plot_area(width: f64, height: f64, theme: &ChartTheme) -> (f64, f64, f64, f64) {
    plot_area(BAR_LAYOUT, width, height, theme)
}

/// The plotting rectangle of a [`line_chart`], as [`bar_plot_area`]: for marks drawn over a finished chart.
pub fn line_plot_area(width: f64, height: f64, theme: &ChartTheme) -> (f64, f64, f64, f64) {
    plot_area(LINE_LAYOUT, width, height, theme)
}

fn plot_area(layout: (f64, f64, f64), width: f64, height: f64, theme: &ChartTheme) -> (f64, f64, f64, f64) {
    let (margin, x_labels, y_labels) = layout;
    if theme.compact {
        let m = f64::from(theme.px(4.0));
        return (m, m, width - m, height - m);
    }
    let (m, xl, yl) = (f64::from(theme.px(margin)), f64::from(theme.px(x_labels)), f64::from(theme.px(y_labels)));
    (m + yl, m, width - m, height - m - xl)
}

/// Vertical bars from 0 to each value (negative values hang down) over `y_range`; `highlight` marks one bar.
pub fn bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    values: &[f32],
    y_range: Range<f64>,
    y_desc: &str,
    highlight: Option<usize>,
    theme: &ChartTheme,
) -> ChartResult<DB> {
    let n = values.len().max(1) as f64;
    let (margin, x_labels, y_labels) = BAR_LAYOUT;
    // Bars are centred on whole numbers so that the axis labels sit under them.
    let mut builder = ChartBuilder::on(area);
    builder.margin(theme.px(if theme.compact { 4.0 } else { margin }));
    if !theme.compact {
        builder.x_label_area_size(theme.px(x_labels)).y_label_area_size(theme.px(y_labels));
    }
    let mut chart = builder.build_cartesian_2d(-0.5f64..n - 0.5, y_range)?;
    if !theme.compact {
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(values.len().min(12))
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .y_labels(5)
            .y_desc(y_desc)
            .label_style(theme.text(11.0))
            .axis_desc_style(theme.text(12.0))
            .axis_style(theme.ink())
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme.grid())
            .draw()?;
    }
    // PERF: very many bars would cost one path each for a gap nobody can see; drop the gap once bars get thin.
    let gap = if values.len() > 200 { 0.0 } else { 0.12 };
    chart.draw_series(values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(i, &v)| {
        let color = if Some(i) == highlight { PALETTE[1] } else { PALETTE[0] };
        let x = i as f64 - 0.5;
        Rectangle::new([(x + gap, 0.0), (x + 1.0 - gap, f64::from(v))], color.filled())
    }))?;
    Ok(())
}

/// One named polyline of a [`line_chart`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Series<'a> {
    /// The legend text.
    pub label: &'a str,
    /// The points, in drawing order.
    pub points: &'a [(f64, f64)],
    /// Index into [`PALETTE`].
    pub color: usize,
}

/// Bars for a plot `columns` pixels wide: more bars than columns become one per column, as tall as the tallest
/// finite bar among its own (NaN when it has none); fewer come back as they are.
pub fn tallest_per_column(values: &[f32], columns: usize) -> Cow<'_, [f32]> {
    let (n, columns) = (values.len(), columns.max(1));
    if n <= columns {
        return Cow::Borrowed(values);
    }
    let tallest = |c: usize| {
        let bars = &values[c * n / columns..(c + 1) * n / columns];
        bars.iter().copied().filter(|v| v.is_finite()).reduce(f32::max).unwrap_or(f32::NAN)
    };
    Cow::Owned((0..columns).map(tallest).collect())
}

/// A polyline thinned for a plot `columns` pixels wide: each pixel column keeps its first, lowest, highest and last
/// point, in order, so the drawn line covers the same pixels with at most four points a column (a canvas spends
/// far longer stroking a polyline than plotting it). `points` are in increasing x; shorter lines come back whole.
pub fn thin_polyline(points: &[(f64, f64)], x_range: Range<f64>, columns: usize) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    if points.len() <= 4 * columns {
        return points.to_vec();
    }
    let span = (x_range.end - x_range.start).max(f64::MIN_POSITIVE);
    let column = |x: f64| (((x - x_range.start) / span * columns as f64).max(0.0) as usize).min(columns - 1);
    let mut kept = Vec::with_capacity(4 * columns);
    let mut start = 0;
    while start < points.len() {
        let c = column(points[start].0);
        let end = start + points[start..].iter().take_while(|p| column(p.0) == c).count();
        let block = &points[start..end];
        let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
        let low = start + block.iter().enumerate().min_by(by_y).map_or(0, |(i, _)| i);
        let high = start + block.iter().enumerate().max_by(by_y).map_or(0, |(i, _)| i);
        let mut picks = [start, low, high, end - 1];
        picks.sort_unstable();
        let mut last = None;
        for i in picks {
            if last != Some(i) {
                kept.push(points[i]);
                last = Some(i);
            }
        }
        start = end;
    }
    kept
}

/// A tick label without plotters' trailing ".0" on whole numbers (steps, counts), and short otherwise.
fn tick(v: f64) -> String {
    if v == v.round() && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Dash and gap of a marker rule, in CSS pixels; shared with the rule drawn over a cached chart.
pub const MARKER_DASH_PX: [f64; 2] = [4.0, 3.0];
/// Opacity of a marker rule's ink.
pub const MARKER_OPACITY: f64 = 0.6;

/// Lines over shared axes with a legend; `marker_x` draws a dashed vertical rule (e.g. a threshold).
#[allow(clippy::too_many_arguments)]
pub fn line_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series<'_>],
    x_range: Range<f64>,
    y_range: Range<f64>,
    x_desc: &str,
    y_desc: &str,
    marker_x: Option<f64>,
    theme: &ChartTheme,
) -> ChartResult<DB> {
    let (margin, x_labels, y_labels) = LINE_LAYOUT;
    let mut builder = ChartBuilder::on(area);
    builder.margin(theme.px(if theme.compact { 4.0 } else { margin }));
    if !theme.compact {
        builder.x_label_area_size(theme.px(x_labels)).y_label_area_size(theme.px(y_labels));
    }
    let mut chart = builder.build_cartesian_2d(x_range, y_range.clone())?;
    if !theme.compact {
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style(theme.text(11.0))
            .axis_desc_style(theme.text(12.0))
            .axis_style(theme.ink())
            .light_line_style(TRANSPARENT)
            .bold_line_style(theme.grid())
            .draw()?;
    }
    if let Some(x) = marker_x {
        let [dash, gap] = MARKER_DASH_PX;
        let rule = DashedPathElement::new(
            vec![(x, y_range.start), (x, y_range.end)],
            theme.px(dash),
            theme.px(gap),
            theme.ink().mix(MARKER_OPACITY).stroke_width(theme.px(1.0)),
        );
        chart.plotting_area().draw(&rule)?;
    }
    let (plot_width, _) = chart.plotting_area().dim_in_pixel();
    for s in series {
        let color = PALETTE[s.color % PALETTE.len()];
        let width = theme.px(2.0);
        // PERF: a line with more than a point every two pixels is drawn one device pixel wide: browsers stroke such
        // hairlines on a fast path, while a wide, dense, jagged line took tens of milliseconds a redraw.
        let line = if s.points.len() > plot_width as usize / 2 { 1 } else { width };
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), color.stroke_width(line)))?
            .label(s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(width)));
    }
    if series.len() > 1 && !theme.compact {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(theme.text(11.0))
            .background_style(if theme.dark { RGBColor(0x1B, 0x1F, 0x27) } else { WHITE }.mix(0.85))
            .border_style(theme.grid())
            .draw()?;
    }
    Ok(())
}

/// How a box of a detection scene is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxLook {
    /// Still a candidate: opacity follows the score.
    Candidate,
    /// Already selected (kept).
    Selected,
    /// Selected in the step being shown.
    Current,
    /// Fell below the score threshold.
    Discarded,
    /// The box being edited: drawn bold with resize handles.
    Focused,
}

/// A box of a detection scene in scene coordinates (y grows downwards).
#[derive(Debug, Clone, PartialEq)]
pub struct SceneBox {
    /// Left, top, right, bottom.
    pub rect: [f32; 4],
    /// Current score in [0, 1].
    pub score: f32,
    /// How to draw it.
    pub look: BoxLook,
    /// Text drawn in the top-left corner.
    pub label: Option<String>,
}

/// Half the side of a resize handle, in CSS pixels.
pub const HANDLE_CSS_PX: f64 = 5.0;

/// A detection scene scaled from `scene_w` × `scene_h` to the area; looks are drawn in the order of [`BoxLook`]
/// so that the current selection and the edited box are never hidden.
pub fn scene_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    boxes: &[SceneBox],
    scene_w: f32,
    scene_h: f32,
    theme: &ChartTheme,
) -> ChartResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let sx = w as f32 / scene_w.max(1.0);
    let sy = h as f32 / scene_h.max(1.0);
    let to_px = |x: f32, y: f32| ((x * sx).round() as i32, (y * sy).round() as i32);
    let grey = if theme.dark { RGBColor(0x8A, 0x93, 0xA3) } else { RGBColor(0x9A, 0xA1, 0xAD) };
    for look in [BoxLook::Discarded, BoxLook::Candidate, BoxLook::Selected, BoxLook::Current, BoxLook::Focused] {
        for b in boxes.iter().filter(|b| b.look == look) {
            let [x1, y1, x2, y2] = b.rect;
            let corners = [to_px(x1, y1), to_px(x2, y2)];
            let strength = 0.25 + 0.75 * f64::from(b.score.clamp(0.0, 1.0));
            let (color, width, fill) = match look {
                BoxLook::Discarded => (grey.mix(0.45), 1.0, 0.0),
                BoxLook::Candidate => (PALETTE[0].mix(strength), 1.5, 0.10 * strength),
                BoxLook::Selected => (PALETTE[2].mix(1.0), 2.5, 0.12),
                BoxLook::Current => (PALETTE[1].mix(1.0), 3.0, 0.18),
                BoxLook::Focused => (PALETTE[4].mix(1.0), 3.0, 0.10),
            };
            if fill > 0.0 {
                area.draw(&Rectangle::new(corners, color.mix(fill).filled()))?;
            }
            area.draw(&Rectangle::new(corners, color.stroke_width(theme.px(width))))?;
            if look == BoxLook::Focused {
                let r = theme.px(HANDLE_CSS_PX) as i32;
                for (x, y) in [(x1, y1), (x2, y1), (x1, y2), (x2, y2)] {
                    let (cx, cy) = to_px(x, y);
                    area.draw(&Rectangle::new([(cx - r, cy - r), (cx + r, cy + r)], color.filled()))?;
                }
            }
            if let Some(label) = &b.label {
                let (lx, ly) = corners[0];
                let pad = theme.px(3.0) as i32;
                area.draw(&Text::new(label.clone(), (lx + pad, ly + pad), theme.text(11.0)))?;
            }
        }
    }
    Ok(())
}

/// Half the side of the square plane of [`plane_chart`], in plane units.
pub const PLANE_EXTENT: f64 = 4.0;

/// A 2-D attention picture: the query as an arrow from the origin, each key as a dot whose area follows its weight
/// (negative weights hollow); `selected` draws a ring around one point (0 = the query, k = key k − 1).
pub fn plane_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    query: (f64, f64),
    keys: &[(f64, f64)],
    weights: &[f32],
    selected: Option<usize>,
    theme: &ChartTheme,
) -> ChartResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let side = f64::from(w.min(h));
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let to_px = |(x, y): (f64, f64)| {
        ((cx + x / PLANE_EXTENT * side / 2.0).round() as i32, (cy - y / PLANE_EXTENT * side / 2.0).round() as i32)
    };
    let grid = theme.grid();
    for t in [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0] {
        area.draw(&PathElement::new(vec![to_px((t, -PLANE_EXTENT)), to_px((t, PLANE_EXTENT))], grid))?;
        area.draw(&PathElement::new(vec![to_px((-PLANE_EXTENT, t)), to_px((PLANE_EXTENT, t))], grid))?;
    }
    let axis = theme.ink().mix(0.35);
    area.draw(&PathElement::new(vec![to_px((-PLANE_EXTENT, 0.0)), to_px((PLANE_EXTENT, 0.0))], axis))?;
    area.draw(&PathElement::new(vec![to_px((0.0, -PLANE_EXTENT)), to_px((0.0, PLANE_EXTENT))], axis))?;
    let top = weights.iter().fold(0.0f32, |m, w| m.max(w.abs())).max(f32::MIN_POSITIVE);
    for (i, (&k, &wgt)) in keys.iter().zip(weights).enumerate() {
        let radius = (f64::from(theme.px(4.0)) + f64::from(theme.px(18.0)) * f64::from(wgt.abs() / top).sqrt()) as i32;
        let color = PALETTE[0];
        let style = if wgt >= 0.0 { color.mix(0.75).filled() } else { PALETTE[4].stroke_width(theme.px(2.0)) };
        area.draw(&Circle::new(to_px(k), radius, style))?;
        let (px, py) = to_px(k);
        area.draw(&Text::new(format!("k{}", i + 1), (px + radius + 2, py - 6), theme.text(11.0)))?;
        if selected == Some(i + 1) {
            area.draw(&Circle::new(to_px(k), radius + theme.px(4.0) as i32, PALETTE[1].stroke_width(theme.px(2.5))))?;
        }
    }
    let arrow = PALETTE[1].stroke_width(theme.px(3.0));
    area.draw(&PathElement::new(vec![to_px((0.0, 0.0)), to_px(query)], arrow))?;
    area.draw(&Circle::new(to_px(query), theme.px(7.0) as i32, PALETTE[1].filled()))?;
    let (qx, qy) = to_px(query);
    area.draw(&Text::new("q".to_string(), (qx + 10, qy - 8), theme.text(13.0)))?;
    if selected == Some(0) {
        area.draw(&Circle::new(to_px(query), theme.px(12.0) as i32, theme.ink().stroke_width(theme.px(2.0))))?;
    }
    Ok(())
}

/// The plane coordinates under pixel (x, y) of a `w` × `h` plane chart.
pub fn plane_point(x: f64, y: f64, w: f64, h: f64) -> (f64, f64) {
    let side = w.min(h);
    ((x - w / 2.0) / (side / 2.0) * PLANE_EXTENT, -(y - h / 2.0) / (side / 2.0) * PLANE_EXTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEME: ChartTheme = ChartTheme { scale: 1.0, dark: false, compact: false };

    fn render(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>)) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (400, 240)).into_drawing_area();
            draw(&root);
            root.present().unwrap();
        }
        svg
    }

    #[test]
    fn bar_chart_draws_one_filled_rect_per_value_with_the_highlight_in_its_own_colour() {
        let svg = render(|root| bar_chart(root, &[0.1, 0.6, 0.3], 0.0..1.0, "probability", Some(1), &THEME).unwrap());
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(svg.matches(r##"fill="#0072B2""##).count(), 2, "{svg}");
        assert_eq!(svg.matches(r##"fill="#E69F00""##).count(), 1, "{svg}");
        assert!(svg.contains("probability"));
    }

    #[test]
    fn taller_values_draw_taller_bars() {
        let svg = render(|root| bar_chart(root, &[0.25, 1.0], 0.0..1.0, "p", None, &THEME).unwrap());
        let heights: Vec<f64> = svg
            .split("<rect")
            .filter(|r| r.contains(r##"fill="#0072B2""##))
            .map(|r| {
                let h = r.split("height=\"").nth(1).unwrap().split('"').next().unwrap();
                h.parse().unwrap()
            })
            .collect();
        assert_eq!(heights.len(), 2);
        let ratio = heights[1] / heights[0];
        assert!((ratio - 4.0).abs() < 0.2, "{heights:?}");
    }

    #[test]
    fn bar_plot_area_is_where_the_bars_are_drawn() {
        // A full-height bar spans the plotting area vertically; pointer mapping relies on this.
        let svg = render(|root| bar_chart(root, &[1.0, -1.0], -1.0..1.0, "logit", None, &THEME).unwrap());
        let rects: Vec<[f64; 4]> = svg
            .split("<rect")
            .filter(|r| r.contains(r##"fill="#0072B2""##))
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    r.split(&format!(" {name}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
                };
                [attr("x"), attr("y"), attr("width"), attr("height")]
            })
            .collect();
        let (left, top, right, bottom) = bar_plot_area(400.0, 240.0, &THEME);
        let [x0, y0, _, h0] = rects[0];
        let [x1, y1, w1, h1] = rects[1];
        assert!((y0 - top).abs() <= 1.5, "{y0} vs {top}");
        assert!((y1 + h1 - bottom).abs() <= 1.5, "{} vs {bottom}", y1 + h1);
        assert!((h0 - h1).abs() <= 1.5 && (y0 + h0 - y1).abs() <= 1.5, "positive and negative bars meet at 0");
        let slot = (right - left) / 2.0;
        assert!((x0 - (left + 0.12 * slot)).abs() <= 1.5, "{x0}");
        assert!((x1 + w1 - (right - 0.12 * slot)).abs() <= 2.5, "{}", x1 + w1);
    }

    #[test]
    fn plane_chart_sizes_keys_by_weight_and_maps_back() {
        let svg = render(|root| {
            plane_chart(root, (2.0, 1.0), &[(1.0, 0.0), (-1.0, 0.0)], &[0.9, 0.1], Some(1), &THEME).unwrap()
        });
        let radii: Vec<f64> = svg
            .split("<circle")
            .filter(|c| c.contains(r##"fill="#0072B2""##))
            .map(|c| c.split(" r=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(radii.len(), 2);
        assert!(radii[0] > 2.0 * radii[1], "{radii:?}");
        assert!(svg.contains("\nk1\n") && svg.contains("\nq\n"), "{svg}");
        // 400 × 240: the plane is 240 px square around (200, 120).
        let (x, y) = plane_point(200.0 + 60.0, 120.0 - 30.0, 400.0, 240.0);
        assert!((x - 2.0).abs() < 1e-9 && (y - 1.0).abs() < 1e-9);
    }

    #[test]
    fn line_chart_draws_every_series_with_a_legend_and_the_marker() {
        let a = [(0.0, 0.0), (1.0, 1.0), (2.0, 0.5)];
        let b = [(0.0, 1.0), (2.0, 0.0)];
        let series =
            [Series { label: "float32", points: &a, color: 0 }, Series { label: "float64", points: &b, color: 1 }];
        let svg =
            render(|root| line_chart(root, &series, 0.0..2.0, 0.0..1.0, "gap g", "loss", Some(1.5), &THEME).unwrap());
        assert!(svg.contains("float32") && svg.contains("float64") && svg.contains("gap g"));
        assert!(
            svg.contains("\n1.5\n") && svg.contains("\n2\n") && !svg.contains("\n2.0\n"),
            "ticks without a trailing .0: {svg}"
        );
        assert_eq!(
            (tick(500.0), tick(-2.5), tick(0.125), tick(1.0 / 3.0)),
            ("500".into(), "-2.5".into(), "0.125".into(), "0.333".into())
        );
        assert!(svg.matches("<polyline").count() >= 4, "two series and two legend swatches: {svg}");
        assert!(svg.contains(r##"stroke="#0072B2""##) && svg.contains(r##"stroke="#E69F00""##));
    }

    #[test]
    fn thinned_lines_keep_each_column_s_extremes_and_ends() {
        let wave: Vec<(f64, f64)> =
            (0..10_000).map(|i| (i as f64, (i as f64 * 0.37).sin() * (i % 97) as f64)).collect();
        let thin = thin_polyline(&wave, 0.0..9999.0, 100);
        assert!(thin.len() <= 400 && thin.len() >= 200, "{}", thin.len());
        assert_eq!((thin[0], thin[thin.len() - 1]), (wave[0], wave[9999]));
        assert!(thin.windows(2).all(|w| w[0].0 < w[1].0), "still in increasing x");
        for c in 0..100 {
            let column: Vec<_> = wave.iter().filter(|p| (p.0 / 9999.0 * 100.0) as usize == c).collect();
            let low = column.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let high = column.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
            assert!(thin.contains(&(column.iter().find(|p| p.1 == low).unwrap().0, low)), "column {c} keeps its low");
            assert!(
                thin.contains(&(column.iter().find(|p| p.1 == high).unwrap().0, high)),
                "column {c} keeps its high"
            );
        }
        let short = &wave[..300];
        assert_eq!(thin_polyline(short, 0.0..299.0, 100), short.to_vec());
    }

    #[test]
    fn more_bars_than_columns_keep_each_column_s_tallest() {
        let bars = [0.1, 0.9, f32::NAN, f32::NAN, f32::NAN, 0.3, 0.5, 0.4, 0.0, 0.7];
        let pooled = tallest_per_column(&bars, 4);
        assert_eq!(pooled.len(), 4);
        assert_eq!([pooled[0], pooled[2], pooled[3]], [0.9, 0.5, 0.7]);
        assert!(pooled[1].is_nan(), "a column of NaN bars stays empty: {pooled:?}");
        assert!(matches!(tallest_per_column(&bars, 10), Cow::Borrowed(_)));
    }

    #[test]
    fn dense_lines_are_hairlines_and_sparse_ones_keep_their_width() {
        let dense: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, (i % 7) as f64)).collect();
        let sparse = [(0.0, 0.0), (999.0, 6.0)];
        let series = [
            Series { label: "dense", points: &dense, color: 0 },
            Series { label: "sparse", points: &sparse, color: 1 },
        ];
        let svg = render(|root| line_chart(root, &series, 0.0..999.0, 0.0..7.0, "x", "y", None, &THEME).unwrap());
        let width = |colour: &str| {
            let line = svg.split("<polyline").find(|p| p.contains(colour) && p.matches(',').count() > 1).unwrap();
            line.split("stroke-width=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
        };
        assert_eq!((width("#0072B2").as_str(), width("#E69F00").as_str()), ("1", "2"), "{svg}");
    }

    #[test]
    fn line_plot_area_is_where_the_chart_maps_its_marker() {
        let points = [(0.0, 0.0), (2.0, 1.0)];
        let series = [Series { label: "a", points: &points, color: 0 }];
        let svg = render(|root| line_chart(root, &series, 0.0..2.0, 0.0..1.0, "x", "y", Some(1.5), &THEME).unwrap());
        let (left, top, right, bottom) = line_plot_area(400.0, 240.0, &THEME);
        let want = left + 0.75 * (right - left);
        // The dashed rule is the only path with the ink at 60% opacity; its first point is (x, y).
        let rule = svg.split("<polyline").find(|p| p.contains(r#"opacity="0.6""#)).expect(&svg);
        let first = rule.split("points=\"").nth(1).unwrap().split(' ').next().unwrap();
        let (x, y) = first.split_once(',').unwrap();
        let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
        assert!((x - want).abs() <= 1.0, "marker at {x}, plot area says {want}");
        assert!(y >= top - 1.0 && y <= bottom + 1.0, "{y} outside {top}..{bottom}");
    }

    #[test]
    fn compact_mode_draws_data_without_axes_or_legend() {
        let compact = ChartTheme { compact: true, ..THEME };
        let svg = render(|root| bar_chart(root, &[0.5, 1.0], 0.0..1.0, "probability", None, &compact).unwrap());
        assert!(!svg.contains("probability") && !svg.contains("<text"), "{svg}");
        assert_eq!(svg.matches(r##"fill="#0072B2""##).count(), 2);
        let points = [(0.0, 0.0), (1.0, 1.0)];
        let series =
            [Series { label: "a", points: &points, color: 0 }, Series { label: "b", points: &points, color: 1 }];
        let svg = render(|root| line_chart(root, &series, 0.0..1.0, 0.0..1.0, "x", "y", None, &compact).unwrap());
        assert!(!svg.contains("<text"), "{svg}");
    }

    #[test]
    fn scene_boxes_are_scaled_into_the_area_and_styled_by_look() {
        let looks = [BoxLook::Candidate, BoxLook::Current, BoxLook::Focused];
        let boxes: Vec<SceneBox> = looks
            .iter()
            .map(|&look| SceneBox { rect: [10.0, 20.0, 50.0, 60.0], score: 0.9, look, label: Some("0.90".into()) })
            .collect();
        let svg = render(|root| scene_chart(root, &boxes, 100.0, 100.0, &THEME).unwrap());
        // 400×240 px for a 100×100 scene: x scales by 4, y by 2.4.
        assert!(svg.contains(r#"x="40" y="48" width="160" height="96""#), "{svg}");
        assert!(svg.contains(r##"stroke="#E69F00""##) && svg.contains(r##"stroke="#D55E00""##));
        assert_eq!(svg.matches("0.90").count(), 3);
        // The focused box has four filled handles.
        assert_eq!(svg.matches(r##"width="10" height="10" opacity="1" fill="#D55E00""##).count(), 4, "{svg}");
    }
}
