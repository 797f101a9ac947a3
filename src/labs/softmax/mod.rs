//! The softmax lab: logits, temperature and the resulting distribution.

pub mod model;

use super::LabMeta;
use crate::canvas::blit::plot;
use crate::canvas::charts::bar_chart;
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{format_number, ChoiceSelect, LabFrame, LogSlider, Readout, SeedInput, Slider};
use crate::url_state::Chosen;
use leptos::prelude::*;
use model::{generate_logits, softmax, LogitShape, SoftmaxParams};

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "softmax",
    title: "Softmax lab",
    summary: "Temperature, entropy and the numerics of softmax in f16, bf16, f32 and f64.",
    description: "Turn logits into probabilities and watch temperature sharpen or flatten them. The full lab \
        adds every softmax algorithm (three-pass, two-pass, online) and alternative (StableMax, sparsemax, \
        entmax-1.5), a precision panel that shows overflow and absorption in f16, bf16, f32 and f64 with per-element \
        ULP error, and a benchmark of the SIMD128 kernels in your own browser.",
};

/// The `/softmax` page.
#[component]
pub fn SoftmaxLab() -> impl IntoView {
    let url = use_url_state::<SoftmaxParams>();
    let state = url.state;
    let logits = Memo::new(move |_| {
        let p = state.get();
        generate_logits(p.shape.0, p.n as usize, p.seed)
    });
    let distribution = Memo::new(move |_| softmax(&logits.get(), state.with(|p| p.temperature)));
    let read = move |f: fn(&model::Distribution) -> f64| {
        Signal::derive(move || distribution.with(|d| d.as_ref().map_or("—".into(), |d| format_number(f(d)))))
    };

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Softmax settings">
                    <h2>"Settings"</h2>
                    <LogSlider
                        label="Temperature T"
                        key="temperature"
                        min=0.01
                        max=100.0
                        value=Signal::derive(move || state.with(|p| p.temperature))
                        on_change=move |t| state.update(|p| p.temperature = t)
                        describe=|t| format!("temperature {}", format_number(t))
                    />
                    <Slider
                        label="Number of logits n"
                        key="n"
                        min=2.0
                        max=64.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.n)))
                        on_change=move |n| state.update(|p| p.n = n as u32)
                        describe=|n| format!("{n} logits")
                    />
                    <ChoiceSelect
                        label="Logit distribution"
                        key="shape"
                        value=Signal::derive(move || state.with(|p| p.shape.0))
                        on_change=move |s: LogitShape| state.update(|p| p.shape = Chosen(s))
                    />
                    <SeedInput
                        value=Signal::derive(move || state.with(|p| p.seed))
                        on_change=move |s| state.update(|p| p.seed = s)
                    />
                </section>
                <section class="panel figure" aria-label="Softmax probabilities">
                    <h2>"p = softmax(x / T)"</h2>
                    <Canvas2d
                        name="softmax-probabilities"
                        label="Bar chart of the softmax probabilities, one bar per logit; the largest is highlighted."
                        height_px=260
                        draw=move |canvas, theme| {
                            distribution.with(|d| {
                                if let Some(d) = d {
                                    plot(canvas, |area| {
                                        bar_chart(area, &d.probabilities, 1.0, "probability", Some(d.argmax), &theme)
                                    });
                                }
                            })
                        }
                    />
                    <div class="readouts" data-testid="softmax-readouts">
                        <Readout label="entropy H (nats)" value=read(|d| d.entropy)/>
                        <Readout label="effective support exp(H)" value=read(model::Distribution::effective_support)/>
                        <Readout label="max probability" value=read(|d| f64::from(d.max_probability()))/>
                    </div>
                    <p class="explain">
                        "Each probability is "
                        <math display="inline">
                            <msub><mi>"p"</mi><mi>"i"</mi></msub><mo>"="</mo>
                            <mfrac>
                                <msup><mi>"e"</mi><mrow><mo>"("</mo><msub><mi>"x"</mi><mi>"i"</mi></msub><mo>"−"</mo><mi>"m"</mi><mo>")"</mo><mo>"/"</mo><mi>"T"</mi></mrow></msup>
                                <mrow><msub><mo>"∑"</mo><mi>"j"</mi></msub><msup><mi>"e"</mi><mrow><mo>"("</mo><msub><mi>"x"</mi><mi>"j"</mi></msub><mo>"−"</mo><mi>"m"</mi><mo>")"</mo><mo>"/"</mo><mi>"T"</mi></mrow></msup></mrow>
                            </mfrac>
                        </math>
                        ", computed in float32 after subtracting the maximum m, so no logit can overflow. \
                        As T → 0 the distribution becomes one-hot (entropy 0); as T → ∞ it becomes uniform \
                        (entropy ln n)."
                    </p>
                </section>
            </div>
        </LabFrame>
    }
}

/// The landing card's live figure: softmax of fixed logits at three temperatures' worth of sharpness.
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
                    plot(canvas, |area| bar_chart(area, &d.probabilities, 1.0, "", Some(d.argmax), &theme));
                }
            }
        />
    }
}
