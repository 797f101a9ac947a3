//! The Soft-NMS lab: detection boxes clustered around objects, the input of every suppression method.

pub mod model;

use super::LabMeta;
use crate::canvas::blit::plot;
use crate::canvas::charts::boxes_chart;
use crate::canvas::Canvas2d;
use crate::hooks::use_url_state;
use crate::ui::{LabFrame, Readout, SeedInput, Slider};
use leptos::prelude::*;
use model::{clustered_scene, NmsParams, SCENE_H, SCENE_W};

/// The lab's entry in the registry.
pub const META: LabMeta = LabMeta {
    slug: "nms",
    title: "Soft-NMS lab",
    summary: "Hard NMS against linear and Gaussian Soft-NMS on boxes you can drag.",
    description: "A detector proposes many overlapping boxes per object. Hard non-maximum suppression deletes every \
        box that overlaps a better one too much; Soft-NMS (Bodla et al., ICCV 2017, arXiv:1704.04503) only decays \
        its score, which gained +1.7% mAP on PASCAL VOC 2007 and +1.1 to 1.3% on MS-COCO. The full lab lets you \
        drag, resize and rescore boxes and steps through hard, linear and Gaussian NMS in both the paper's and \
        TensorFlow's conventions.",
};

/// The `/nms` page.
#[component]
pub fn NmsLab() -> impl IntoView {
    let url = use_url_state::<NmsParams>();
    let state = url.state;
    let scene = Memo::new(move |_| state.with(clustered_scene));

    view! {
        <LabFrame title=META.title description=META.description notices=url.notices>
            <div class="lab-grid">
                <section class="panel controls" aria-label="Scene settings">
                    <h2>"Scene"</h2>
                    <Slider
                        label="Objects"
                        key="objects"
                        min=1.0
                        max=50.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.objects)))
                        on_change=move |n| state.update(|p| p.objects = n as u32)
                        describe=|n| format!("{n} objects")
                    />
                    <Slider
                        label="Boxes per object"
                        key="per_object"
                        min=1.0
                        max=40.0
                        step=1.0
                        value=Signal::derive(move || f64::from(state.with(|p| p.per_object)))
                        on_change=move |n| state.update(|p| p.per_object = n as u32)
                        describe=|n| format!("{n} boxes per object")
                    />
                    <SeedInput
                        value=Signal::derive(move || state.with(|p| p.seed))
                        on_change=move |s| state.update(|p| p.seed = s)
                    />
                    <div class="readouts">
                        <Readout label="boxes" value=Signal::derive(move || scene.with(|s| s.len().to_string()))/>
                    </div>
                </section>
                <section class="panel figure" aria-label="Detection scene">
                    <h2>"Detections before suppression"</h2>
                    <Canvas2d
                        name="nms-scene"
                        label="Detection boxes clustered around objects; more opaque boxes have higher scores."
                        height_px=320
                        draw=move |canvas, theme| {
                            scene.with(|boxes| plot(canvas, |area| boxes_chart(area, boxes, SCENE_W, SCENE_H, &theme)))
                        }
                    />
                    <p class="explain">
                        "Soft-NMS picks the best box M, then rescales every other box's score s"<sub>"i"</sub>
                        " by a weight of its overlap o"<sub>"i"</sub>" = IoU(M, b"<sub>"i"</sub>"): hard NMS uses 0 \
                        when o"<sub>"i"</sub>" ≥ N"<sub>"t"</sub>", linear Soft-NMS 1 − o"<sub>"i"</sub>
                        ", Gaussian Soft-NMS exp(−o"<sub>"i"</sub><sup>"2"</sup>"/σ)."
                    </p>
                </section>
            </div>
        </LabFrame>
    }
}

/// The landing card's live figure: a small seeded scene.
#[component]
pub fn Thumbnail() -> impl IntoView {
    let boxes = clustered_scene(&NmsParams { objects: 4, per_object: 4, seed: 3 });
    view! {
        <Canvas2d
            name="thumbnail-nms"
            label="Sixteen detection boxes around four objects."
            height_px=120
            compact=true
            draw=move |canvas, theme| plot(canvas, |area| boxes_chart(area, &boxes, SCENE_W, SCENE_H, &theme))
        />
    }
}
