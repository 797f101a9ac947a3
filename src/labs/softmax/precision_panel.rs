//! The precision panel: naive, shifted, online and two-pass softmax in f64, f32, bf16 and f16, every operation
//! rounded, with per-element ULP error against f64 and the overflow and absorption explained for the current logits.

use super::model::{absorption_notice, overflow_notice, precision_report, ulp_csv, SoftmaxParams, PRECISION_LIMIT};
use crate::canvas::blit::plot;
use crate::canvas::charts::{line_chart, thin_polyline, Series};
use crate::canvas::Canvas2d;
use crate::ui::{format_number, ChoiceSelect, PngButton, TextDownload};
use crate::url_state::{Choice, Chosen};
use leptos::html::Canvas;
use leptos::prelude::*;
use softscope_kernels::precision::{Method, Order, Precision};

fn method_label(method: Method) -> &'static str {
    match method {
        Method::Naive => "naive exp(x)/Σ",
        Method::Shifted => "max-shifted (three-pass)",
        Method::Online => "online",
        Method::TwoPass => "two-pass",
    }
}

/// The precision panel.
#[component]
pub fn PrecisionPanel(state: RwSignal<SoftmaxParams>, logits: Memo<Vec<f32>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let selected = Memo::new(move |_| state.with(|p| p.precision.0));
    let report = Memo::new(move |_| {
        let (t, order) = state.with(|p| (p.temperature, p.order.0));
        logits.with(|x| precision_report(x, t, order, selected.get()))
    });
    view! {
        <section class="panel wide" aria-label="Precision">
            <div class="panel-head">
                <h2>"Precision: the same softmax in four formats"</h2>
                <PngButton canvas file_name="softmax-ulp-error.png"/>
                <TextDownload label="ULP errors (CSV)" file_name="softscope-softmax-ulp-errors.csv" mime="text/csv"
                    contents=move || report.with(|r| ulp_csv(r, |m| match m {
                        Method::Naive => "naive",
                        Method::Shifted => "shifted",
                        Method::Online => "online",
                        Method::TwoPass => "two_pass",
                    }))/>
            </div>
            <div class="inline-controls">
                <ChoiceSelect
                    label="Format"
                    key="precision"
                    value=Signal::derive(move || selected.get())
                    on_change=move |p: Precision| state.update(|s| s.precision = Chosen(p))
                />
                <ChoiceSelect
                    label="Summation order"
                    key="order"
                    value=Signal::derive(move || state.with(|p| p.order.0))
                    on_change=move |o: Order| state.update(|s| s.order = Chosen(o))
                />
            </div>
            <div class="notices-pair">
                <p class="notice info" data-testid="overflow-notice">
                    {move || report.with(|r| overflow_notice(selected.get(), r.max_logit))}
                </p>
                <p class="notice info" data-testid="absorption-notice">
                    {move || report.with(|r| absorption_notice(selected.get(), r.top_gap))}
                </p>
            </div>
            <div class="table-wrap">
                <table class="data" data-testid="precision-table">
                    <caption>
                        {move || report.with(|r| format!(
                            "Largest error in ULPs of each format against float64{}; ∞ marks NaN or ∞ from overflow.",
                            if r.emulated == PRECISION_LIMIT { format!(", over the first {PRECISION_LIMIT} logits") } else { String::new() }
                        ))}
                    </caption>
                    <thead>
                        <tr>
                            <th>"method"</th>
                            {Precision::ALL.iter().map(|p| view! { <th class="num">{p.label()}</th> }).collect::<Vec<_>>()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || report.with(|r| r.rows.iter().map(|(method, cells)| view! {
                            <tr>
                                <td>{method_label(*method)}</td>
                                {cells.iter().map(|cell| {
                                    let mut text = if cell.max_ulp.is_finite() { format_number(cell.max_ulp) } else { "∞".into() };
                                    if cell.overflowed { text.push_str(" · overflow"); }
                                    if cell.absorbed > 0 { text.push_str(&format!(" · {} absorbed", cell.absorbed)); }
                                    view! { <td class="num" class:bad=cell.overflowed>{text}</td> }
                                }).collect::<Vec<_>>()}
                            </tr>
                        }).collect::<Vec<_>>())}
                    </tbody>
                </table>
            </div>
            <Canvas2d
                name="softmax-ulp-strip"
                label="Per-element error in ULPs of the chosen format for each method, over the logits in order; overflowing methods are drawn at the top."
                height_px=200
                node_ref=canvas
                draw=move |c, theme| report.with(|r| {
                    let n = r.emulated.max(2) as f64;
                    let points: Vec<Vec<(f64, f64)>> = r.strips.iter().map(|(_, errors)| {
                        let line: Vec<_> = errors.iter().enumerate().map(|(i, &e)| (i as f64, if e.is_finite() { e.min(64.0) } else { 64.0 })).collect();
                        thin_polyline(&line, 0.0..n - 1.0, c.width() as usize)
                    }).collect();
                    let top = points.iter().flatten().map(|p| p.1).fold(1.0f64, f64::max) * 1.1;
                    let series: Vec<Series<'_>> = r.strips.iter().zip(&points).enumerate().map(|(k, ((m, _), pts))| {
                        Series { label: method_label(*m), points: pts, color: k }
                    }).collect();
                    plot(c, |area| line_chart(area, &series, 0.0..n - 1.0, 0.0..top, "logit index", "error (ULP, capped at 64)", None, &theme));
                })
            />
            <p class="explain">
                "Every operation is rounded to the chosen format (round to nearest, ties to even), as hardware with \
                that format would. One ULP is the spacing of representable numbers at the true value; a correctly \
                rounded result is within 0.5 ULP. Summing the smallest terms first absorbs the fewest."
            </p>
        </section>
    }
}
