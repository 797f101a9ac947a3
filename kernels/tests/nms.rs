//! Soft-NMS: the reference fixtures, invariants, and agreement of the fast kernel (SIMD128 on wasm) with the
//! scalar twin and the literal reference.
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::nms::{
    clustered_scene, iou, soft_nms, soft_nms_reference, soft_nms_scalar, Convention, Detection, Kept, Method, NmsError,
    NmsParams, NmsWorkspace,
};

fn det(x1: f32, y1: f32, x2: f32, y2: f32, score: f32) -> Detection {
    Detection { x1, y1, x2, y2, score }
}

/// ALGORITHMS.md §5.5: A, B, C overlap; D stands alone; E duplicates A with a low score.
fn fixture() -> Vec<Detection> {
    vec![
        det(0.0, 0.0, 10.0, 10.0, 0.95),
        det(1.0, 1.0, 11.0, 11.0, 0.90),
        det(5.0, 0.0, 15.0, 10.0, 0.80),
        det(20.0, 20.0, 30.0, 30.0, 0.70),
        det(0.0, 0.0, 10.0, 10.0, 0.30),
    ]
}

const NAMES: [&str; 5] = ["A", "B", "C", "D", "E"];

/// Runs all three implementations, checks they agree exactly, and returns the result.
fn all_agree(boxes: &[Detection], params: &NmsParams) -> Vec<Kept> {
    let reference = soft_nms_reference(boxes, params, None).unwrap();
    let mut ws = NmsWorkspace::default();
    let fast = soft_nms(boxes, params, &mut ws).unwrap();
    let scalar = soft_nms_scalar(boxes, params, &mut ws).unwrap();
    let bits = |k: &[Kept]| k.iter().map(|k| (k.index, k.score.to_bits())).collect::<Vec<_>>();
    assert_eq!(bits(&scalar), bits(&reference), "scalar twin vs reference");
    assert_eq!(bits(&fast), bits(&reference), "fast kernel vs reference");
    reference
}

fn assert_kept(boxes: &[Detection], params: NmsParams, expected: &[(&str, f32)]) {
    let kept = all_agree(boxes, &params);
    let got: Vec<(&str, f32)> = kept.iter().map(|k| (NAMES[k.index], k.score)).collect();
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((name, score), (want_name, want_score)) in got.iter().zip(expected) {
        assert_eq!(name, want_name, "{got:?}");
        assert!((score - want_score).abs() < 2e-6, "{name}: {score} vs {want_score} in {got:?}");
    }
}

fn paper(method: Method) -> NmsParams {
    NmsParams { method, ..NmsParams::default() }
}

fn tensorflow(method: Method, sigma: f32, iou_threshold: f32) -> NmsParams {
    NmsParams { method, convention: Convention::TensorFlow, sigma, iou_threshold, ..NmsParams::default() }
}

#[test]
fn iou_fixture_in_both_conventions() {
    let b = fixture();
    let pairs = [(0, 1, 0.680672, 0.704225), (0, 2, 0.333333, 0.375), (1, 2, 0.369863, 0.406977), (0, 4, 1.0, 1.0)];
    for (i, j, without, with) in pairs {
        assert!((iou(&b[i], &b[j], Convention::TensorFlow) - without).abs() < 1e-6);
        assert!((iou(&b[i], &b[j], Convention::Paper) - with).abs() < 1e-6);
    }
    assert_eq!(iou(&b[0], &b[3], Convention::Paper), 0.0);
}

#[test]
fn hard_nms_fixture() {
    assert_kept(&fixture(), paper(Method::Hard), &[("A", 0.95), ("D", 0.70)]);
    assert_kept(&fixture(), tensorflow(Method::Hard, 0.5, 0.3), &[("A", 0.95), ("D", 0.70)]);
}

#[test]
fn linear_soft_nms_fixture() {
    assert_kept(&fixture(), paper(Method::Linear), &[("A", 0.95), ("D", 0.70), ("C", 0.5), ("B", 0.157861)]);
    let without_plus_one = tensorflow(Method::Linear, 0.5, 0.3);
    assert_kept(&fixture(), without_plus_one, &[("A", 0.95), ("D", 0.70), ("C", 0.533333), ("B", 0.181098)]);
}

#[test]
fn gaussian_soft_nms_fixture() {
    let expected = [("A", 0.95), ("D", 0.70), ("C", 0.603872), ("B", 0.239671), ("E", 0.011366)];
    assert_kept(&fixture(), paper(Method::Gaussian), &expected);
}

#[test]
fn tensorflow_sigma_is_half_the_papers() {
    // σ_TF = 0.25 without +1 equals the paper's σ = 0.5 without +1; N_t = 1 disables TF's hard cut.
    let expected = [("A", 0.95), ("D", 0.70), ("C", 0.640590), ("B", 0.271013), ("E", 0.012870)];
    assert_kept(&fixture(), tensorflow(Method::Gaussian, 0.25, 1.0), &expected);
    // σ_TF = 0.5: C now outranks D.
    let expected = [("A", 0.95), ("C", 0.715871), ("D", 0.70), ("B", 0.493874), ("E", 0.062138)];
    assert_kept(&fixture(), tensorflow(Method::Gaussian, 0.5, 1.0), &expected);
}

#[test]
fn tensorflow_keeps_its_hard_cut_in_gaussian_mode() {
    // With N_t = 0.5 the duplicate E (IoU 1) and B (IoU 0.68 with A) are cut to zero instead of decayed.
    let kept = all_agree(&fixture(), &tensorflow(Method::Gaussian, 0.5, 0.5));
    let names: Vec<&str> = kept.iter().map(|k| NAMES[k.index]).collect();
    assert_eq!(names, ["A", "C", "D"]);
}

#[test]
fn bad_input_is_a_typed_error_and_odd_boxes_are_handled() {
    let mut ws = NmsWorkspace::default();
    let params = NmsParams::default();
    let mut boxes = fixture();
    boxes[2].y2 = f32::NAN;
    assert_eq!(soft_nms(&boxes, &params, &mut ws), Err(NmsError::NonFinite { index: 2 }));
    assert_eq!(soft_nms_reference(&boxes, &params, None), Err(NmsError::NonFinite { index: 2 }));
    boxes[2].y2 = 10.0;
    boxes[4].score = f32::INFINITY;
    assert_eq!(soft_nms_scalar(&boxes, &params, &mut ws), Err(NmsError::NonFinite { index: 4 }));
    let zero_sigma = NmsParams { sigma: 0.0, ..params };
    assert!(matches!(soft_nms(&fixture(), &zero_sigma, &mut ws), Err(NmsError::Parameter(_))));
    assert_eq!(soft_nms(&[], &params, &mut ws), Ok(vec![]));
    // An inverted box is the same box.
    let straight = det(0.0, 0.0, 10.0, 10.0, 0.9);
    let inverted = det(10.0, 10.0, 0.0, 0.0, 0.9);
    assert_eq!(iou(&straight, &fixture()[1], Convention::Paper), iou(&inverted, &fixture()[1], Convention::Paper));
    // A zero-area box overlaps nothing, even itself, and keeps its score.
    let flat = det(2.0, 2.0, 8.0, 2.0, 0.5);
    assert_eq!(iou(&flat, &straight, Convention::Paper), 0.0);
    assert_eq!(iou(&flat, &flat, Convention::TensorFlow), 0.0);
    let kept = all_agree(&[straight, flat], &paper(Method::Hard));
    assert_eq!(kept, vec![Kept { index: 0, score: 0.9 }, Kept { index: 1, score: 0.5 }]);
}

#[test]
fn ties_break_by_position() {
    let boxes = [det(0.0, 0.0, 10.0, 10.0, 0.5), det(50.0, 0.0, 60.0, 10.0, 0.5), det(0.0, 0.0, 10.0, 10.0, 0.5)];
    let kept = all_agree(&boxes, &paper(Method::Hard));
    assert_eq!(kept.iter().map(|k| k.index).collect::<Vec<_>>(), [0, 1]);
}

#[test]
fn scores_never_increase_and_come_out_in_order() {
    for seed in 0..6 {
        let boxes = clustered_scene(12, 15, 640.0, 400.0, seed);
        for method in [Method::Hard, Method::Linear, Method::Gaussian] {
            let kept = all_agree(&boxes, &paper(method));
            assert!(kept.windows(2).all(|w| w[1].score <= w[0].score), "{method:?}");
            assert!(kept.iter().all(|k| k.score <= boxes[k.index].score));
        }
    }
}

#[test]
fn gaussian_with_vanishing_sigma_is_hard_nms_at_zero_threshold() {
    // Integer corners bound every positive IoU from below, so o²/σ is huge for σ = 1e-12 and the weight is 0.
    for seed in 0..4 {
        let boxes: Vec<Detection> = clustered_scene(8, 10, 200.0, 120.0, seed)
            .into_iter()
            .map(|b| Detection { x1: b.x1.round(), y1: b.y1.round(), x2: b.x2.round(), y2: b.y2.round(), ..b })
            .collect();
        let gaussian = all_agree(&boxes, &NmsParams { sigma: 1e-12, ..paper(Method::Gaussian) });
        let hard = all_agree(&boxes, &NmsParams { iou_threshold: 0.0, ..paper(Method::Hard) });
        assert_eq!(gaussian, hard);
    }
}

#[test]
fn fast_kernel_matches_the_twin_and_reference_on_large_scenes() {
    let mut ws = NmsWorkspace::default();
    let many_seeds = (10..30).map(|seed| (25, 40, seed));
    for (objects, per_object, seed) in
        [(50, 20, 1), (50, 200, 2), (7, 3, 3), (1, 1, 4), (3, 5, 5)].into_iter().chain(many_seeds)
    {
        let boxes = clustered_scene(objects, per_object, 1280.0, 720.0, seed);
        for params in [paper(Method::Gaussian), paper(Method::Linear), tensorflow(Method::Gaussian, 0.25, 0.7)] {
            let fast = soft_nms(&boxes, &params, &mut ws).unwrap();
            let scalar = soft_nms_scalar(&boxes, &params, &mut ws).unwrap();
            assert_eq!(fast, scalar, "{objects}×{per_object} {params:?}");
            if boxes.len() <= 1000 {
                assert_eq!(fast, soft_nms_reference(&boxes, &params, None).unwrap());
            }
        }
    }
}

#[test]
fn the_trace_explains_every_decay() {
    let mut steps = Vec::new();
    let kept = soft_nms_reference(&fixture(), &paper(Method::Linear), Some(&mut steps)).unwrap();
    assert_eq!(steps.len(), kept.len());
    assert_eq!(steps[0].selected, 0);
    // Step 1 (A selected): B and C decay by 1 − IoU, D is untouched, E (IoU 1) falls to 0 and is discarded.
    let e = steps[0].decays.iter().find(|d| d.index == 4).unwrap();
    assert!(e.discarded && e.after == 0.0 && e.iou == 1.0);
    let b = steps[0].decays.iter().find(|d| d.index == 1).unwrap();
    assert!((b.after - 0.9 * (1.0 - 0.704225)).abs() < 1e-6 && !b.discarded);
    let d = steps[0].decays.iter().find(|d| d.index == 3).unwrap();
    assert_eq!((d.iou, d.before, d.after), (0.0, 0.7, 0.7));
}
