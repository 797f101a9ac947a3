//! The attention lab: weight rows of softmax attention and its relatives for seeded queries and keys, as heatmaps,
//! and the headline plot of entropy against query norm.

pub mod model;
mod plane;

use super::LabMeta;
use crate::canvas::blit::{compact_bars, dashed_rule, plot_cached, put_rgba};
use crate::canvas::charts::{line_chart, line_plot_area, ChartTheme, Series};
use crate::canvas::colormap::{heatmap_rgba, Colormap};
use crate::canvas::Canvas2d;
use crate::hooks::{use_frame_coalesced, use_url_state};
use crate::ui::{format_number, LabFrame, LogSlider, PngButton, Readout, SeedInput, Slider, TextDownload};
use leptos::html::Canvas;
use leptos::prelude::*;
use model::{
    curves_csv, entropy_curve, heatmap_rows, label, method_map, prepare, scene, slug, weights_json, AttentionParams,
    MethodMap, CURVE_POINTS, CURVE_QUERIES, METHODS, QUERIES,
};
use softscope_kernels::attention::{Method, Prepared, RowKind};
use softscope_kernels::raster::{histogram, resample_extreme};
use std::sync::Arc;

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "attention",
    title: "Attention lab",
    summary: "Why attention gets spiky: score distributions, heatmaps and entropy against query norm.",
    description: "Queries meet keys; each method turns their scores or features into attention weights. Grow the \
        query norm and watch softmax rows get spiky while plain linear attention does not change at all: MALA and \
        NaLaFormer are linear attentions built to bring that norm-to-spikiness link back.",
};

/// Draws a weight map: viridis for non-negative rows, the diverging map when weights can be negative. The map is
/// resampled to the canvas' pixels, each keeping its block's most extreme weight.
fn draw_heatmap(canvas: &web_sys::HtmlCanvasElement, map: &MethodMap) {
    let (cols, rows) = (canvas.width(), canvas.height());
    let cells = resample_extreme(&map.weights, map.rows, map.cols, rows as usize, cols as usize);
    let finite = cells.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0.0f32, 0.0f32), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let rgba = if lo < 0.0 {
        let bound = lo.abs().max(hi);
        heatmap_rgba(&cells, Colormap::CoolWarm, -bound, bound)
    } else {
        heatmap_rgba(&cells, Colormap::Viridis, 0.0, hi)
    };
    put_rgba(canvas, &rgba, cols, rows);
}

/// What the entropy chart is drawn from, apart from the current scale: its curves, theme and y range (ln n).
type CurveKey = (Arc<Vec<(Method, Vec<(f64, f64)>)>>, ChartTheme, f64);

fn kind_note(kind: RowKind) -> Option<&'static str> {
    match kind {
        RowKind::Distribution => None,
        RowKind::Unnormalised => Some("Rows are not normalised; entropy is of w/Σw."),
        RowKind::Negative => Some("Rows sum to 1 but can be negative (blue); entropy is of |w|/Σ|w|."),
    }
}

/// The `/attention` page.
#[component]
pub fn AttentionLab() -> impl IntoView {
    let url = use_url_state::<AttentionParams>();
    let state = url.state;
    // The controls follow `state` at once; the figures follow `applied`, at most once per animation frame.
    let applied = use_frame_coalesced(state);
    // Only the scene's own parameters regenerate it (a query-scale change does not).
    let scene_params = Memo::new(move |_| {
        applied.with(|p| AttentionParams {
            query_scale: 1.0,
            methods: Default::default(),
            plane: Default::default(),
            ..p.clone()
        })
    });
    let scene_memo = Memo::new(move |_| scene_params.with(scene));
    // Scores are computed once per scene: a new query scale only rescales them.
    let prepared = Memo::new(move |_| {
        scene_memo.with(|s| prepare(s, heatmap_rows(s.queries.len() / s.dim, s.keys.len() / s.dim)))
    });
    let methods = Memo::new(move |_| applied.with(|p| p.methods.0.clone()));
    let scale = Memo::new(move |_| applied.with(|p| p.query_scale));
    // Rows that do not depend on the query scale are computed once per scene and kept while it moves.
    let invariant = Memo::new(move |_| {
        prepared.with(|p| {
            p.as_ref().map_or_else(Vec::new, |p| {
                let kept = methods.get().into_iter().filter(|m| m.scale_invariant());
                kept.map(|m| Arc::new(method_map(p, m, p.queries(), 1.0))).collect::<Vec<_>>()
            })
        })
    });
    // Always "changed": comparing megabytes of weights would cost more than it saves.
    let maps = Memo::new_with_compare(
        move |_| {
            prepared.with(|p| {
                p.as_ref().map_or_else(Vec::new, |p| {
                    let fresh = |m| Arc::new(method_map(p, m, p.queries(), scale.get()));
                    invariant.with(|kept| {
                        let kept = |m| kept.iter().find(|k: &&Arc<MethodMap>| k.method == m).cloned();
                        methods.get().into_iter().map(|m| kept(m).unwrap_or_else(|| fresh(m))).collect::<Vec<_>>()
                    })
                })
            })
        },
        |_, _| true,
    );
    // The curves do not depend on the current query scale: recomputed only when the scene or the methods change.
    // Shared, so that the chart's cache key holds them without a copy per slider step.
    let curves = Memo::new(move |_| {
        prepared.with(|p| {
            Arc::new(p.as_ref().map_or_else(Vec::new, |p| {
                let queries = CURVE_QUERIES.min(p.queries());
                methods.get().into_iter().map(|m| (m, entropy_curve(p, m, queries, CURVE_POINTS))).collect::<Vec<_>>()
            }))
        })
    });
    let curve_canvas = NodeRef::<Canvas>::new();
    let curve_chart = StoredValue::new_local(None::<(CurveKey, web_sys::HtmlCanvasElement)>);
    let max_entropy = Signal::derive(move || format_number(f64::from(state.with(|p| p.keys)).ln()));

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Attention settings">
                    <h2>"Queries and keys"</h2>
                    <LogSlider
                        label="Query norm scale"
                        key="query_scale"
                        min=0.1
                        max=10.0
                        value=Signal::derive(move || state.with(|p| p.query_scale))
                        on_change=move |s| state.update(|p| p.query_scale = s)
                        describe=|s| format!("query scale {}", format_number(s))
                    />
                    <LogSlider
                        label="Number of queries"
                        key="queries"
                        min=1.0
                        max=512.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.queries)))
                        on_change=move |q| state.update(|p| p.queries = q.clamp(1.0, 512.0) as u32)
                        describe=|q| format!("{q} queries")
                        whole=true
                    />
                    <LogSlider
                        label="Number of keys"
                        key="keys"
                        min=4.0
                        max=4096.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.keys)))
                        on_change=move |k| state.update(|p| p.keys = k.clamp(4.0, 4096.0) as u32)
                        describe=|k| format!("{k} keys")
                        whole=true
                    />
                    <LogSlider
                        label="Head dimension d"
                        key="dim"
                        min=2.0
                        max=256.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.dim)))
                        on_change=move |d| state.update(|p| p.dim = d.clamp(2.0, 256.0) as u32)
                        describe=|d| format!("dimension {d}")
                        whole=true
                    />
                    <Slider
                        label="Key-norm spread"
                        key="key_spread"
                        min=0.0
                        max=2.0
                        step=0.05
                        value=Signal::derive(move || state.with(|p| p.key_spread))
                        on_change=move |v| state.update(|p| p.key_spread = v)
                        describe=|v| format!("key norm spread {v:.2}")
                    />
                    <Slider
                        label="Direction concentration"
                        key="concentration"
                        min=0.0
                        max=20.0
                        step=0.5
                        value=Signal::derive(move || state.with(|p| p.concentration))
                        on_change=move |v| state.update(|p| p.concentration = v)
                        describe=|v| format!("key direction concentration {v}")
                    />
                    <SeedInput
                        value=Signal::derive(move || state.with(|p| p.seed))
                        on_change=move |s| state.update(|p| p.seed = s)
                    />
                    <fieldset class="variant-toggles">
                        <legend>"Methods"</legend>
                        {METHODS.iter().map(|&m| view! {
                            <label>
                                <input
                                    type="checkbox"
                                    data-method=slug(m)
                                    prop:checked=move || methods.with(|s| s.contains(&m))
                                    on:change=move |_| state.update(|p| {
                                        if let Some(i) = p.methods.0.iter().position(|x| *x == m) {
                                            p.methods.0.remove(i);
                                        } else {
                                            p.methods.0.push(m);
                                            p.methods.0.sort_by_key(|x| METHODS.iter().position(|y| y == x));
                                        }
                                    })
                                />
                                {label(m)}
                            </label>
                        }).collect::<Vec<_>>()}
                    </fieldset>
                </section>
                <section class="panel figure" aria-label="Entropy against query norm">
                    <div class="panel-head">
                        <h2>"Entropy vs query-norm scale"</h2>
                        <PngButton canvas=curve_canvas file_name="attention-entropy.png"/>
                        <TextDownload
                            label="Curves (CSV)"
                            file_name="softscope-attention-curves.csv"
                            mime="text/csv"
                            contents=move || curves.with(|c| curves_csv(c))
                        />
                    </div>
                    <Canvas2d
                        name="attention-entropy"
                        label="Line chart: mean row entropy of each method against log10 of the query scale; a dashed rule marks the current scale. The table below lists the values at the current scale."
                        height_px=260
                        node_ref=curve_canvas
                        draw=move |canvas, theme| {
                            let ln_n = f64::from(state.with(|p| p.keys)).ln();
                            // Only the marker follows the query scale; the curves are redrawn when they change.
                            let curves = curves.get();
                            curve_chart.update_value(|cache| {
                                plot_cached(canvas, cache, &(curves.clone(), theme, ln_n), |area| {
                                    let series: Vec<Series<'_>> = curves.iter().enumerate()
                                        .map(|(i, (m, pts))| Series { label: label(*m), points: pts, color: i })
                                        .collect();
                                    line_chart(area, &series, -1.0..1.0, 0.0..ln_n * 1.05, "log10 query scale", "entropy (nats)", None, &theme)
                                })
                            });
                            let (left, top, right, bottom) = line_plot_area(f64::from(canvas.width()), f64::from(canvas.height()), &theme);
                            let x = left + (scale.get().log10() + 1.0) / 2.0 * (right - left);
                            dashed_rule(canvas, x, top, bottom, &theme);
                        }
                    />
                    <div class="readouts">
                        <Readout label="uniform entropy ln n" value=max_entropy/>
                    </div>
                    <div class="table-wrap">
                        <table class="data" data-testid="attention-table">
                            <caption>{move || maps.with(|m| format!("At the current query scale, over {} queries", m.first().map_or(0, |m| m.rows)))}</caption>
                            <thead><tr><th>"method"</th><th class="num">"mean entropy"</th><th class="num">"mean row sum"</th><th>"rows"</th></tr></thead>
                            <tbody>
                                {move || maps.with(|maps| maps.iter().map(|m| view! {
                                    <tr data-method=slug(m.method)>
                                        <td>{label(m.method)}</td>
                                        <td class="num entropy">{format!("{:.6}", m.mean_entropy())}</td>
                                        <td class="num">{format_number(m.mean_sum)}</td>
                                        <td>{match m.kind { RowKind::Distribution => "distribution", RowKind::Unnormalised => "unnormalised ⚑", RowKind::Negative => "can be negative ⚑" }}</td>
                                    </tr>
                                }).collect::<Vec<_>>())}
                            </tbody>
                        </table>
                    </div>
                    <p class="explain">
                        "For softmax, scaling the query by c scales every score by c, and dH/dc = −c·Var"<sub>"p"</sub>"(s) ≤ 0: \
                        bigger queries can only make attention spikier. Linear attention w ∝ φ(q)·φ(k) loses this link: with \
                        φ = ReLU the weights do not depend on ‖q‖ at all. MALA (arXiv:2507.00698) adds a term that grows \
                        with ‖q‖ (and can turn weights negative); NaLaFormer (arXiv:2506.21137) raises the query's direction \
                        to a power that grows with ‖q‖. Sigmoid (arXiv:2409.04431) and ReLU rows are not normalised."
                    </p>
                </section>
            </div>
            <plane::PlaneMode state/>
            <section class="panel wide" aria-label="Heatmaps">
                <div class="panel-head">
                    <h2>{move || maps.with(|m| format!("Weights: {} queries (rows) × keys (columns)", m.first().map_or(QUERIES, |m| m.rows)))}</h2>
                    <TextDownload
                        label="Weights (JSON)"
                        file_name="softscope-attention-weights.json"
                        mime="application/json"
                        contents=move || maps.with(|m| weights_json(m))
                    />
                </div>
                <div class="variant-grid">
                    <For each=move || methods.get() key=|m| slug(*m) let:method>
                        <HeatmapCard method maps prepared scale/>
                    </For>
                </div>
            </section>
        </LabFrame>
    }
}

/// One method's heatmap with its read-outs.
#[component]
fn HeatmapCard(
    method: Method,
    maps: Memo<Vec<Arc<MethodMap>>>,
    prepared: Memo<Option<Prepared>>,
    scale: Memo<f64>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // A map kept across a scale change is the same allocation: its figures are not redrawn.
    let map = Memo::new_with_compare(
        move |_| maps.with(|m| m.iter().find(|m| m.method == method).cloned()),
        |old, new| !matches!((old, new), (Some(Some(a)), Some(Some(b))) if Arc::ptr_eq(a, b)),
    );
    let hover = RwSignal::new(None::<String>);
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get_untracked() else { return };
        let (w, h) = (f64::from(c.client_width()).max(1.0), f64::from(c.client_height()).max(1.0));
        let text = map.with_untracked(|m| {
            let m = m.as_ref()?;
            let row = ((f64::from(ev.offset_y()) / h * m.rows as f64) as usize).min(m.rows - 1);
            let col = ((f64::from(ev.offset_x()) / w * m.cols as f64) as usize).min(m.cols - 1);
            let score = prepared.with_untracked(|p| p.as_ref().map_or(f32::NAN, |p| p.score(row, col)));
            Some(format!(
                "query {row} · key {col}: score {}, weight {}",
                format_number(f64::from(score) * scale.get_untracked()),
                format_number(f64::from(m.weights[row * m.cols + col]))
            ))
        });
        hover.set(text);
    };
    view! {
        <article class="variant-card" data-method=slug(method)>
            <header>
                <h3>{label(method)}</h3>
                <PngButton canvas file_name="attention-heatmap.png"/>
            </header>
            <div class="heatmap-hover" on:pointermove=on_move on:pointerleave=move |_| hover.set(None)>
            <Canvas2d
                name=format!("heatmap-{}", slug(method))
                label=format!("Heatmap of {} weights: rows are queries, columns keys, brighter is more weight.", label(method))
                height_px=150
                node_ref=canvas
                draw=move |c, _| map.with(|m| if let Some(m) = m { draw_heatmap(c, m) })
            />
            </div>
            <div class="strips">
                <figure>
                    <Canvas2d
                        name=format!("entropy-strip-{}", slug(method))
                        label=format!("Bars of each query row's entropy for {}.", label(method))
                        height_px=48
                        compact=true
                        draw=move |c, theme| map.with(|m| if let Some(m) = m {
                            let entropies: Vec<f32> = m.row_entropy.iter().map(|&h| h as f32).collect();
                            compact_bars(c, &entropies, (m.cols as f64).ln().max(1e-6), &theme);
                        })
                    />
                    <figcaption>"row entropy (0 to ln n)"</figcaption>
                </figure>
                <figure>
                    <Canvas2d
                        name=format!("histogram-{}", slug(method))
                        label=format!("Histogram of {} weights.", label(method))
                        height_px=48
                        compact=true
                        draw=move |c, theme| map.with(|m| if let Some(m) = m {
                            let (lo, hi) = m.range;
                            let counts = histogram(&m.weights, 24, lo, hi.max(lo + 1e-9));
                            compact_bars(c, &counts, f64::from(counts.iter().copied().fold(1.0, f32::max)), &theme);
                        })
                    />
                    <figcaption>{move || map.with(|m| m.as_ref().map(|m| {
                        let (lo, hi) = m.range;
                        format!("weights from {} to {}", format_number(f64::from(lo)), format_number(f64::from(hi)))
                    }))}</figcaption>
                </figure>
            </div>
            <p class="hint hover-readout" aria-live="polite">
                {move || hover.get().unwrap_or_else(|| "Point at a cell to read its weight.".into())}
            </p>
            <div class="readouts compact">
                <Readout label="mean entropy" value=Signal::derive(move || map.with(|m| m.as_ref().map_or("—".into(), |m| format_number(m.mean_entropy()))))/>
                <Readout label="mean row sum" value=Signal::derive(move || map.with(|m| m.as_ref().map_or("—".into(), |m| format_number(m.mean_sum))))/>
            </div>
            {move || map.with(|m| m.as_ref().and_then(|m| kind_note(m.kind))).map(|n| view! { <p class="hint flag">{n}</p> })}
        </article>
    }
}

/// The landing card's live figure: a small softmax attention heatmap.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let params = AttentionParams { keys: 40, ..AttentionParams::default() };
    let map = prepare(&scene(&params), QUERIES).map(|p| method_map(&p, Method::Softmax, QUERIES, 4.0));
    view! {
        <Canvas2d
            name="thumbnail-attention"
            label="A softmax attention heatmap of 32 seeded queries over 40 keys."
            height_px=120
            compact=true
            draw=move |canvas, _| if let Some(map) = &map { draw_heatmap(canvas, map) }
        />
    }
}
