//! The softmax lab: editable logits and temperature; every softmax variant side by side; the same computation in
//! f64, f32, bf16 and f16 with per-element ULP error; the algorithms' passes; a benchmark in the reader's browser.

mod algorithms_panel;
mod logits_editor;
pub mod model;
mod precision_panel;

use super::LabMeta;
use crate::canvas::blit::plot;
use crate::canvas::charts::bar_chart;
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{format_number, ChoiceSelect, LabFrame, LogSlider, PngButton, Readout, SeedInput, TextDownload};
use crate::url_state::{Choice, Chosen, UrlState};
use algorithms_panel::AlgorithmsPanel;
use leptos::html::Canvas;
use leptos::prelude::*;
use logits_editor::LogitsEditor;
use model::{generate_logits, softmax, variants, variants_csv, LogitShape, SoftmaxParams, Variant, BAR_LIMIT};
use precision_panel::PrecisionPanel;
use softscope_kernels::raster::histogram;

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "softmax",
    title: "Softmax lab",
    summary: "Temperature, entropy and the numerics of softmax in f16, bf16, f32 and f64.",
    description: "Turn logits into probabilities and watch temperature sharpen or flatten them; compare softmax \
        with StableMax, sparsemax, entmax-1.5, sigmoid, softplus and ReLU; see where float16, bfloat16 and float32 \
        overflow or absorb; and step through the three-pass, online and two-pass algorithms that compute it.",
};

/// The `/softmax` page.
#[component]
pub fn SoftmaxLab() -> impl IntoView {
    let url = use_url_state::<SoftmaxParams>();
    let state = url.state;
    let logits = Memo::new(move |_| state.with(SoftmaxParams::logits));
    let temperature = Memo::new(move |_| state.with(|p| p.temperature));
    let shown = Memo::new(move |_| state.with(|p| p.variants.0.clone()));
    let results = Memo::new(move |_| logits.with(|x| variants(x, temperature.get(), &shown.get())));
    let distribution = Memo::new(move |_| logits.with(|x| softmax(x, temperature.get())));
    let read = move |f: fn(&model::Distribution) -> f64| {
        Signal::derive(move || distribution.with(|d| d.as_ref().map_or("—".into(), |d| format_number(f(d)))))
    };
    let edited = Memo::new(move |_| state.with(|p| !p.logits.0.is_empty()));

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Softmax settings">
                    <h2>"Logits"</h2>
                    <LogSlider
                        label="Temperature T"
                        key="temperature"
                        min=0.01
                        max=100.0
                        value=Signal::derive(move || temperature.get())
                        on_change=move |t| state.update(|p| p.temperature = t)
                        describe=|t| format!("temperature {}", format_number(t))
                    />
                    <Show
                        when=move || !edited.get()
                        fallback=move || view! {
                            <p class="hint">{move || format!("{} edited logits.", logits.with(Vec::len))}</p>
                            <button type="button" class="button secondary" data-testid="back-to-generator"
                                on:click=move |_| state.update(|p| p.logits = model::LogitList::default())>
                                "Back to generated logits"
                            </button>
                        }
                    >
                        <LogSlider
                            label="Number of logits n"
                            key="n"
                            min=2.0
                            max=1_000_000.0
                            value=Signal::derive(move || f64::from(state.with(|p| p.n)))
                            on_change=move |n| state.update(|p| p.n = n.clamp(2.0, 1e6) as u32)
                            describe=|n| format!("{n} logits")
                            whole=true
                        />
                        <ChoiceSelect
                            label="Logit distribution"
                            key="shape"
                            value=Signal::derive(move || state.with(|p| p.shape.0))
                            on_change=move |s: LogitShape| state.update(|p| p.shape = Chosen(s))
                        />
                        <LogSlider
                            label="Scale"
                            key="scale"
                            min=0.01
                            max=1000.0
                            value=Signal::derive(move || state.with(|p| p.scale))
                            on_change=move |s| state.update(|p| p.scale = s)
                            describe=|s| format!("logit scale {}", format_number(s))
                        />
                        <crate::ui::Slider
                            label="Offset"
                            key="offset"
                            min=-2000.0
                            max=2000.0
                            step=1.0
                            value=Signal::derive(move || state.with(|p| p.offset))
                            on_change=move |o| state.update(|p| p.offset = o)
                            describe=|o| format!("logit offset {o}")
                        />
                        <SeedInput
                            value=Signal::derive(move || state.with(|p| p.seed))
                            on_change=move |s| state.update(|p| p.seed = s)
                        />
                    </Show>
                    <div class="readouts" data-testid="softmax-readouts">
                        <Readout label="entropy H (nats)" value=read(|d| d.entropy)/>
                        <Readout label="effective support exp(H)" value=read(model::Distribution::effective_support)/>
                        <Readout label="max probability" value=read(|d| f64::from(d.max_probability()))/>
                    </div>
                </section>
                <section class="panel figure" aria-label="Logits and probabilities">
                    <LogitsEditor state logits distribution/>
                </section>
            </div>

            <section class="panel wide" aria-label="Variants side by side">
                <div class="panel-head">
                    <h2>"Softmax and its alternatives on x / T"</h2>
                    <TextDownload
                        label="Numbers (CSV)"
                        file_name="softscope-softmax.csv"
                        mime="text/csv"
                        contents=move || logits.with(|x| results.with(|r| variants_csv(x, r)))
                    />
                    <TextDownload
                        label="State (JSON)"
                        file_name="softscope-softmax.json"
                        mime="application/json"
                        contents=move || state_json(&state.get_untracked(), &logits.get_untracked(), &results.get_untracked())
                    />
                </div>
                <fieldset class="variant-toggles">
                    <legend>"Show"</legend>
                    {Variant::ALL.iter().map(|&v| view! {
                        <label>
                            <input
                                type="checkbox"
                                prop:checked=move || shown.with(|s| s.contains(&v))
                                on:change=move |_| state.update(|p| {
                                    if let Some(i) = p.variants.0.iter().position(|x| *x == v) {
                                        p.variants.0.remove(i);
                                    } else {
                                        p.variants.0.push(v);
                                        p.variants.0.sort_by_key(|x| Variant::ALL.iter().position(|y| y == x));
                                    }
                                })
                            />
                            {v.label()}
                        </label>
                    }).collect::<Vec<_>>()}
                </fieldset>
                <div class="variant-grid">
                    <For each=move || shown.get() key=|v| v.slug() let:variant>
                        <VariantCard variant results/>
                    </For>
                </div>
            </section>

            <PrecisionPanel state logits/>
            <AlgorithmsPanel state logits/>
            <Explanation/>
        </LabFrame>
    }
}

/// Parameters, logits and every variant's numbers as JSON.
fn state_json(params: &SoftmaxParams, logits: &[f32], results: &[model::VariantResult]) -> String {
    let variants: serde_json::Map<String, serde_json::Value> =
        results.iter().map(|r| (r.variant.slug().to_string(), serde_json::json!(r.values))).collect();
    let value = serde_json::json!({
        "query": params.to_query_string(),
        "temperature": params.temperature,
        "logits": logits,
        "variants": variants,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// One variant's figure and read-outs.
#[component]
fn VariantCard(variant: Variant, results: Memo<Vec<model::VariantResult>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let result = Memo::new(move |_| results.with(|r| r.iter().find(|r| r.variant == variant).cloned()));
    let value = move |f: fn(&model::VariantResult) -> Option<f64>| {
        Signal::derive(move || result.with(|r| r.as_ref().and_then(f).map_or("—".into(), format_number)))
    };
    let file_name: &'static str = match variant {
        Variant::Softmax => "softmax.png",
        Variant::LogSoftmax => "log-softmax.png",
        Variant::StableMax => "stablemax.png",
        Variant::Sparsemax => "sparsemax.png",
        Variant::Entmax15 => "entmax15.png",
        Variant::Sigmoid => "sigmoid.png",
        Variant::Softplus => "softplus.png",
        Variant::Relu => "relu.png",
    };
    view! {
        <article class="variant-card" data-variant=variant.slug()>
            <header>
                <h3>{variant.label()}</h3>
                <PngButton canvas file_name/>
            </header>
            <Canvas2d
                name=format!("variant-{}", variant.slug())
                label=format!("{} of the logits, one bar per logit (a histogram of log10 values for large rows).", variant.label())
                height_px=150
                node_ref=canvas
                draw=move |c, theme| result.with(|r| {
                    let Some(r) = r else { return };
                    if r.values.len() <= BAR_LIMIT {
                        let (lo, hi) = if variant == Variant::LogSoftmax {
                            (f64::from(r.values.iter().copied().filter(|v| v.is_finite()).fold(0.0f32, f32::min)) * 1.05 - 0.01, 0.0)
                        } else {
                            (0.0, f64::from(r.max).max(1e-6) * 1.05)
                        };
                        let highlight = Some(r.values.iter().enumerate().fold(0, |b, (i, &v)| if v > r.values[b] { i } else { b }));
                        plot(c, |area| bar_chart(area, &r.values, lo..hi, "", highlight, &theme));
                    } else {
                        let logs: Vec<f32> = r.values.iter().map(|&v| if variant == Variant::LogSoftmax { v / std::f32::consts::LN_10 } else { v.log10() }).collect();
                        let counts = histogram(&logs, 60, -12.0, 0.0);
                        let top = f64::from(counts.iter().copied().fold(1.0, f32::max));
                        plot(c, |area| bar_chart(area, &counts, 0.0..top * 1.05, "count (log10 value from −12 to 0)", None, &theme));
                    }
                })
            />
            <div class="readouts compact">
                <Readout label="entropy H" value=value(|r| r.entropy)/>
                <Readout label="exp(H)" value=value(|r| r.entropy.map(f64::exp))/>
                <Readout label="max" value=value(|r| Some(f64::from(r.max)))/>
                <Readout label="row sum" value=value(|r| (r.variant != Variant::LogSoftmax).then_some(r.sum))/>
            </div>
            {move || result.with(|r| r.as_ref().and_then(|r| r.note)).map(|note| view! { <p class="hint flag">{note}</p> })}
        </article>
    }
}

/// Formulas and references.
#[component]
fn Explanation() -> impl IntoView {
    view! {
        <section class="panel wide explain-panel" aria-label="Explanation">
            <h2>"What you are looking at"</h2>
            <p>
                "Softmax turns logits x into probabilities "
                <math display="inline">
                    <msub><mi>"p"</mi><mi>"i"</mi></msub><mo>"="</mo>
                    <mfrac>
                        <msup><mi>"e"</mi><mrow><mo>"("</mo><msub><mi>"x"</mi><mi>"i"</mi></msub><mo>"−"</mo><mi>"m"</mi><mo>")"</mo><mo>"/"</mo><mi>"T"</mi></mrow></msup>
                        <mrow><msub><mo>"∑"</mo><mi>"j"</mi></msub><msup><mi>"e"</mi><mrow><mo>"("</mo><msub><mi>"x"</mi><mi>"j"</mi></msub><mo>"−"</mo><mi>"m"</mi><mo>")"</mo><mo>"/"</mo><mi>"T"</mi></mrow></msup></mrow>
                    </mfrac>
                </math>
                ", where subtracting the maximum m changes nothing mathematically but keeps every exponent ≤ 0, so \
                nothing overflows. Its entropy H = ln S − Σ p(x − m)/T falls as T → 0 (one-hot) and rises to ln n as \
                T → ∞ (uniform); exp(H) counts the outcomes it effectively spreads over."
            </p>
            <p>
                "StableMax replaces eˣ by x + 1 (x ≥ 0) or 1/(1 − x) (x < 0), which grows only linearly and so does not \
                collapse in float32 (Prieto et al. 2025, arXiv:2501.04697). Sparsemax projects onto the simplex and \
                returns exact zeros (Martins & Astudillo 2016, arXiv:1602.02068); entmax-1.5 lies between the two \
                (Peters, Niculae & Martins 2019, arXiv:1905.05702). Sigmoid attention uses σ(x − ln n) without \
                normalising (Ramapuram et al. 2024, arXiv:2409.04431)."
            </p>
            <p>
                "The algorithms: three-pass softmax reads the row three times; online softmax computes the maximum \
                and the normaliser in one pass (Milakov & Gimelshein 2018, arXiv:1805.02867); two-pass softmax keeps \
                each exponential as a mantissa and an exponent so no maximum is needed (Dukhan & Ablavatski 2020, \
                arXiv:2001.04438). Every kernel here is Rust compiled to WebAssembly SIMD128, tested bit for bit \
                against its scalar twin and within 2·10⁻⁶ of a float64 reference."
            </p>
        </section>
    }
}

/// The landing card's live figure: softmax of ten seeded logits.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let logits = generate_logits(LogitShape::Normal, 10, 7);
    let distribution = softmax(&logits, 0.8);
    view! {
        <Canvas2d
            name="thumbnail-softmax"
            label="Softmax probabilities of ten seeded logits."
            height_px=120
            compact=true
            draw=move |canvas, theme| {
                if let Some(d) = &distribution {
                    plot(canvas, |area| bar_chart(area, &d.probabilities, 0.0..1.0, "", Some(d.argmax), &theme));
                }
            }
        />
    }
}
