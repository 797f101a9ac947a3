//! The attention lab: attention maps of seeded queries and keys, and entropy against query norm.

pub mod model;

use super::LabMeta;
use crate::canvas::blit::{plot, put_rgba};
use crate::canvas::charts::{line_chart, Series};
use crate::canvas::colormap::{heatmap_rgba, Colormap};
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{format_number, LabFrame, LogSlider, Readout, SeedInput, Slider};
use leptos::prelude::*;
use model::{attention_map, entropy_vs_query_scale, AttentionMap, AttentionParams};

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "attention",
    title: "Attention lab",
    summary: "Why attention gets spiky: score distributions, heatmaps and entropy against query norm.",
    description: "Queries meet keys; softmax turns their scores into attention. Grow the query norm and watch \
        each row's entropy fall. The full lab puts softmax beside its relatives (sigmoid, ReLU, softplus/LSSAR, \
        linear attention with elu+1 or ReLU, MALA, NaLaFormer, SOFT, StableMax, entmax-1.5, selective temperature), \
        flags negative or unnormalised weights honestly, and lets you drag 2-D queries and keys by hand.",
};

fn draw_heatmap(canvas: &web_sys::HtmlCanvasElement, map: &AttentionMap) {
    let hi = map.weights.iter().copied().fold(0.0f32, f32::max);
    let rgba = heatmap_rgba(&map.weights, Colormap::Viridis, 0.0, hi);
    put_rgba(canvas, &rgba, map.cols as u32, map.rows as u32);
}

/// The `/attention` page.
#[component]
pub fn AttentionLab() -> impl IntoView {
    let url = use_url_state::<AttentionParams>();
    let state = url.state;
    let map = Memo::new(move |_| state.with(|p| attention_map(p, p.query_scale)));
    // The curve does not depend on the query scale itself: recompute it only when the scene changes.
    let scene = Memo::new(move |_| state.with(|p| (p.keys, p.dim, p.seed)));
    let curve = Memo::new(move |_| {
        scene.track();
        state.with_untracked(|p| entropy_vs_query_scale(p, 40))
    });
    let max_entropy = Signal::derive(move || format_number(f64::from(state.with(|p| p.keys)).ln()));

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Attention settings">
                    <h2>"Settings"</h2>
                    <LogSlider
                        label="Query norm scale"
                        key="query_scale"
                        min=0.1
                        max=10.0
                        value=Signal::derive(move || state.with(|p| p.query_scale))
                        on_change=move |s| state.update(|p| p.query_scale = s)
                        describe=|s| format!("query scale {}", format_number(s))
                    />
                    <Slider
                        label="Number of keys"
                        key="keys"
                        min=4.0
                        max=256.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.keys)))
                        on_change=move |k| state.update(|p| p.keys = k as u32)
                        describe=|k| format!("{k} keys")
                    />
                    <Slider
                        label="Head dimension d"
                        key="dim"
                        min=2.0
                        max=64.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.dim)))
                        on_change=move |d| state.update(|p| p.dim = d as u32)
                        describe=|d| format!("dimension {d}")
                    />
                    <SeedInput
                        value=Signal::derive(move || state.with(|p| p.seed))
                        on_change=move |s| state.update(|p| p.seed = s)
                    />
                    <div class="readouts">
                        <Readout
                            label="mean row entropy (nats)"
                            value=Signal::derive(move || map.with(|m| format_number(m.mean_entropy())))
                        />
                        <Readout label="uniform entropy ln n" value=max_entropy/>
                    </div>
                </section>
                <section class="panel figure" aria-label="Attention heatmap">
                    <h2>"softmax(q·k / √d): 32 queries × keys"</h2>
                    <Canvas2d
                        name="attention-heatmap"
                        label="Heatmap of softmax attention weights; rows are queries, columns are keys, brighter is more weight."
                        height_px=240
                        draw=move |canvas, _| map.with(|m| draw_heatmap(canvas, m))
                    />
                    <div class="legend" aria-hidden="true">
                        <span>"0"</span>
                        <span
                            class="legend-bar"
                            style=format!(
                                "background:linear-gradient(to right,{},{},{})",
                                Colormap::Viridis.css(0.0),
                                Colormap::Viridis.css(0.5),
                                Colormap::Viridis.css(1.0),
                            )
                        ></span>
                        <span>"max weight"</span>
                    </div>
                    <h2>"Entropy vs query norm"</h2>
                    <Canvas2d
                        name="attention-entropy"
                        label="Line chart: mean row entropy falls as the query norm scale grows from 0.1 to 10; a dashed rule marks the current scale."
                        height_px=220
                        draw=move |canvas, theme| {
                            let scale = state.with(|p| p.query_scale).log10();
                            let ln_n = f64::from(state.with(|p| p.keys)).ln();
                            curve.with(|points| {
                                let log_points: Vec<(f64, f64)> = points.iter().map(|&(s, h)| (s.log10(), h)).collect();
                                let series = [Series { label: "softmax", points: &log_points, color: 0 }];
                                plot(canvas, |area| {
                                    line_chart(area, &series, -1.0..1.0, 0.0..ln_n * 1.05, "log10 query scale", "entropy (nats)", Some(scale), &theme)
                                });
                            })
                        }
                    />
                    <p class="explain">
                        "For weights p ∝ exp(c·a), the entropy obeys dH/dc = −c·Var"<sub>"p"</sub>"(a) ≤ 0: \
                        scaling queries up can only make attention spikier. With 1/√d the scores keep unit \
                        variance at c = 1 whatever the head dimension."
                    </p>
                </section>
            </div>
        </LabFrame>
    }
}

/// The landing card's live figure: a small softmax attention heatmap.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let params = AttentionParams { keys: 48, query_scale: 2.0, ..AttentionParams::default() };
    let map = attention_map(&params, params.query_scale);
    view! {
        <Canvas2d
            name="thumbnail-attention"
            label="A softmax attention heatmap of 32 seeded queries over 40 keys."
            height_px=120
            compact=true
            draw=move |canvas, _| draw_heatmap(canvas, &map)
        />
    }
}
