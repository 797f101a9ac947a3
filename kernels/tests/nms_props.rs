//! Property tests of Soft-NMS over random scenes (native only).
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use softscope_kernels::nms::{soft_nms, soft_nms_reference, Convention, Detection, Method, NmsParams, NmsWorkspace};

fn detection() -> impl Strategy<Value = Detection> {
    (0.0f32..100.0, 0.0f32..100.0, 0.0f32..40.0, 0.0f32..40.0, 0.0f32..1.0).prop_map(|(x, y, w, h, score)| Detection {
        x1: x,
        y1: y,
        x2: x + w,
        y2: y + h,
        score,
    })
}

fn params() -> impl Strategy<Value = NmsParams> {
    (
        prop_oneof![Just(Method::Hard), Just(Method::Linear), Just(Method::Gaussian)],
        prop_oneof![Just(Convention::Paper), Just(Convention::TensorFlow)],
        0.0f32..1.0,
        0.01f32..2.0,
        0.0f32..0.2,
    )
        .prop_map(|(method, convention, iou_threshold, sigma, score_threshold)| NmsParams {
            method,
            convention,
            iou_threshold,
            sigma,
            score_threshold,
        })
}

proptest! {
    #[test]
    fn fast_kernel_equals_reference(boxes in proptest::collection::vec(detection(), 0..60), params in params()) {
        let mut ws = NmsWorkspace::default();
        prop_assert_eq!(soft_nms(&boxes, &params, &mut ws).unwrap(), soft_nms_reference(&boxes, &params, None).unwrap());
    }

    #[test]
    fn output_is_a_decayed_subset_in_non_increasing_order(
        boxes in proptest::collection::vec(detection(), 0..60),
        params in params(),
    ) {
        let mut ws = NmsWorkspace::default();
        let kept = soft_nms(&boxes, &params, &mut ws).unwrap();
        prop_assert!(kept.len() <= boxes.len());
        let mut seen = vec![false; boxes.len()];
        for k in &kept {
            prop_assert!(!seen[k.index], "box {} kept twice", k.index);
            seen[k.index] = true;
            prop_assert!(k.score <= boxes[k.index].score);
        }
        prop_assert!(kept.windows(2).all(|w| w[1].score <= w[0].score));
        // Hard NMS never decays: kept scores are the input scores.
        if params.method == Method::Hard {
            prop_assert!(kept.iter().all(|k| k.score == boxes[k.index].score));
        }
    }
}
