//! The grokking lab: Softmax Collapse, where float32 cross-entropy becomes exactly zero.

pub mod model;

use super::LabMeta;
use crate::canvas::blit::plot;
use crate::canvas::charts::{line_chart, Series};
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{format_number, ChoiceSelect, LabFrame, Readout, Slider};
use crate::url_state::Chosen;
use leptos::prelude::*;
use model::{collapse_gap, loss_f32, loss_f64, GrokkingParams, SumOrder};

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "grokking",
    title: "Grokking lab",
    summary: "Softmax Collapse: when float32 rounds the loss to exactly zero and learning stops.",
    description: "Once the correct logit leads by enough, 1 + e^(−g) rounds to exactly 1 in float32: the loss and \
        its gradient become exactly zero and training stalls before the model generalises. The full lab trains a \
        modular-arithmetic MLP live in a Web Worker and shows the rescue by StableMax, ⊥Grad, weight decay and \
        higher precision.",
};

/// Points of a curve, (gap, log10 loss).
type Curve = Vec<(f64, f64)>;

/// Loss curves over gaps 0 to 25 in f32 and f64.
fn curves(params: &GrokkingParams) -> (Curve, Curve) {
    let gaps = (0..=500).map(|i| f64::from(i) * 0.05);
    let f32_curve = gaps
        .clone()
        .map(|g| (g, f64::from(loss_f32(g as f32, params.competitors, params.order.0)).max(1e-12).log10()))
        .collect();
    let f64_curve = gaps.map(|g| (g, loss_f64(g, params.competitors).log10())).collect();
    (f32_curve, f64_curve)
}

/// The `/grokking` page.
#[component]
pub fn GrokkingLab() -> impl IntoView {
    let url = use_url_state::<GrokkingParams>();
    let state = url.state;
    let onset = Memo::new(move |_| state.with(|p| collapse_gap(p.competitors, p.order.0)));
    let series = Memo::new(move |_| state.with(curves));

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Collapse settings">
                    <h2>"Settings"</h2>
                    <Slider
                        label="Wrong classes k"
                        key="competitors"
                        min=1.0
                        max=112.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.competitors)))
                        on_change=move |k| state.update(|p| p.competitors = k as u32)
                        describe=|k| format!("{k} wrong classes")
                    />
                    <ChoiceSelect
                        label="Summation order"
                        key="order"
                        value=Signal::derive(move || state.with(|p| p.order.0))
                        on_change=move |o: SumOrder| state.update(|p| p.order = Chosen(o))
                    />
                    <div class="readouts" data-testid="collapse-readouts">
                        <Readout
                            label="float32 loss is exactly 0 from gap"
                            value=Signal::derive(move || onset.get().map_or("beyond 40".into(), |g| format!("{g:.2}")))
                        />
                        <Readout
                            label="float64 loss at that gap"
                            value=Signal::derive(move || {
                                let k = state.with(|p| p.competitors);
                                onset.get().map_or("—".into(), |g| format_number(loss_f64(f64::from(g), k)))
                            })
                        />
                    </div>
                </section>
                <section class="panel figure" aria-label="Loss against logit gap">
                    <h2>"Cross-entropy against the logit gap g"</h2>
                    <Canvas2d
                        name="grokking-collapse"
                        label="Line chart of log10 loss against the logit gap: the float64 loss keeps falling, the float32 loss drops to exactly zero at the collapse gap, marked by a dashed rule."
                        height_px=280
                        draw=move |canvas, theme| {
                            let marker = onset.get().map(f64::from);
                            series.with(|(f32_curve, f64_curve)| {
                                let lines = [
                                    Series { label: "float64", points: f64_curve, color: 0 },
                                    Series { label: "float32 (0 drawn at 1e-12)", points: f32_curve, color: 4 },
                                ];
                                plot(canvas, |area| {
                                    line_chart(area, &lines, 0.0..25.0, -12.5..0.5, "gap g", "log10 loss", marker, &theme)
                                });
                            })
                        }
                    />
                    <p class="explain">
                        "The loss of the correct class is ln(1 + k·e"<sup>"−g"</sup>"). In float32 the sum \
                        1 + k·e"<sup>"−g"</sup>" rounds to exactly 1 once the small terms fall below half an ULP \
                        of 1 (2"<sup>"−24"</sup>"), so the loss and its gradient are exactly zero: Softmax Collapse \
                        (Prieto et al., 2025, arXiv:2501.04697). Adding the small terms first delays it."
                    </p>
                </section>
            </div>
        </LabFrame>
    }
}

/// The landing card's live figure: float32 against float64 loss as the gap grows.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let (f32_curve, f64_curve) = curves(&GrokkingParams::default());
    view! {
        <Canvas2d
            name="thumbnail-grokking"
            label="Float32 loss drops to exactly zero while float64 loss keeps falling."
            height_px=120
            compact=true
            draw=move |canvas, theme| {
                let lines = [
                    Series { label: "float64", points: &f64_curve, color: 0 },
                    Series { label: "float32", points: &f32_curve, color: 4 },
                ];
                plot(canvas, |area| line_chart(area, &lines, 0.0..25.0, -12.5..0.5, "", "", None, &theme));
            }
        />
    }
}
