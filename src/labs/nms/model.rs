//! The Soft-NMS lab's pure model: the scene (generated or edited), its URL form, the runs of every method, the
//! step-by-step replay of the reference trace, and the JSON/CSV exports.

use crate::url_state::{Choice, Chosen, QueryValue, Range};
use serde::{Deserialize, Serialize};
use softscope_kernels::nms::{
    clustered_scene, soft_nms, soft_nms_reference, Convention, Detection, Kept, Method, NmsParams as KernelParams,
    NmsWorkspace, Step,
};

/// Scene width in scene units (pixels of the source image).
pub const SCENE_W: f32 = 640.0;
/// Scene height in scene units.
pub const SCENE_H: f32 = 400.0;
/// The most boxes a link carries; larger scenes travel as JSON.
pub const URL_BOX_LIMIT: usize = 200;
/// Up to this many boxes the lab records the reference trace for the animation and checks the fast kernel
/// against the reference live.
pub const TRACE_LIMIT: usize = 600;
/// The largest scene the lab accepts.
pub const SCENE_LIMIT: usize = 10_000;

impl Choice for Method {
    const ALL: &'static [Self] = &[Method::Hard, Method::Linear, Method::Gaussian];
    fn slug(self) -> &'static str {
        match self {
            Method::Hard => "hard",
            Method::Linear => "linear",
            Method::Gaussian => "gaussian",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Method::Hard => "Hard NMS",
            Method::Linear => "Linear Soft-NMS",
            Method::Gaussian => "Gaussian Soft-NMS",
        }
    }
}

impl Choice for Convention {
    const ALL: &'static [Self] = &[Convention::Paper, Convention::TensorFlow];
    fn slug(self) -> &'static str {
        match self {
            Convention::Paper => "paper",
            Convention::TensorFlow => "tf",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Convention::Paper => "Paper (+1 pixel, exp(−o²/σ))",
            Convention::TensorFlow => "TensorFlow (no +1, exp(−o²/2σ))",
        }
    }
}

/// Edited boxes in the URL: `x1,y1,x2,y2,score` per box, boxes joined by `_`; empty means "use the generator".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoxList(pub Vec<Detection>);

/// Rounds a box to what its URL text holds (0.1 px, scores to 0.001), so the page always shows what a link
/// restores.
pub fn snap(b: Detection) -> Detection {
    let coord = |v: f32| ((v * 10.0).round() / 10.0).clamp(0.0, SCENE_W.max(SCENE_H));
    Detection {
        x1: coord(b.x1).min(SCENE_W),
        y1: coord(b.y1).min(SCENE_H),
        x2: coord(b.x2).min(SCENE_W),
        y2: coord(b.y2).min(SCENE_H),
        score: ((b.score * 1000.0).round() / 1000.0).clamp(0.0, 1.0),
    }
}

impl QueryValue for BoxList {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Self::default());
        }
        let boxes = text
            .split('_')
            .map(|b| {
                let v: Vec<f32> = b.split(',').map(|n| n.parse::<f32>()).collect::<Result<_, _>>().ok()?;
                let [x1, y1, x2, y2, score] = v[..] else { return None };
                let d = Detection { x1, y1, x2, y2, score };
                [x1, y1, x2, y2, score].iter().all(|v| v.is_finite()).then(|| snap(d))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("each box must be five finite numbers x1,y1,x2,y2,score")?;
        if boxes.len() > URL_BOX_LIMIT {
            return Err(format!("a link holds at most {URL_BOX_LIMIT} boxes"));
        }
        Ok(Self(boxes))
    }
    fn to_query(&self) -> String {
        self.0.iter().map(|b| format!("{},{},{},{},{}", b.x1, b.y1, b.x2, b.y2, b.score)).collect::<Vec<_>>().join("_")
    }
}

crate::url_state! {
    /// The Soft-NMS lab's parameters, all in the URL.
    pub struct NmsLabParams {
        objects: u32 = 5, range(1, 50), "Objects";
        per_object: u32 = 4, range(1, 200), "Boxes per object";
        seed: u64 = 1, "Seed";
        boxes: BoxList = BoxList::default(), "Edited boxes";
        method: Chosen<Method> = Chosen(Method::Gaussian), "Method";
        convention: Chosen<Convention> = Chosen(Convention::Paper), "Convention";
        nt: f64 = 0.3, range(0.0, 1.0), "IoU threshold N_t";
        sigma: f64 = 0.5, range(0.01, 2.0), "σ";
        threshold: f64 = 0.001, range(0.0, 1.0), "Score threshold";
        step: u32 = 0, range(0, 10_000), "Animation step";
    }
}

impl NmsLabParams {
    /// The boxes of the scene: the edited ones, or the generated clusters.
    pub fn scene(&self) -> Vec<Detection> {
        if self.boxes.0.is_empty() {
            let scene = clustered_scene(self.objects as usize, self.per_object as usize, SCENE_W, SCENE_H, self.seed);
            scene.into_iter().map(snap).collect()
        } else {
            self.boxes.0.clone()
        }
    }

    /// The kernel parameters for `method`.
    pub fn kernel_params(&self, method: Method) -> KernelParams {
        KernelParams {
            method,
            convention: self.convention.0,
            iou_threshold: self.nt as f32,
            sigma: self.sigma as f32,
            score_threshold: self.threshold as f32,
        }
    }
}

/// One method's result on the scene.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodRun {
    /// Which method.
    pub method: Method,
    /// Kept boxes in selection order with decayed scores.
    pub kept: Vec<Kept>,
}

/// Everything the page shows for a scene and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The chosen method's result (from the fast kernel).
    pub kept: Vec<Kept>,
    /// The reference trace, for scenes small enough to animate.
    pub steps: Option<Vec<Step>>,
    /// Whether the fast kernel equals the literal reference, when checked (small scenes).
    pub matches_reference: Option<bool>,
    /// Every method's result, for the side-by-side comparison.
    pub all_methods: Vec<MethodRun>,
}

/// Runs the chosen method (and the others for comparison); an error message for bad input.
pub fn run(params: &NmsLabParams, boxes: &[Detection]) -> Result<Outcome, String> {
    let mut ws = NmsWorkspace::default();
    let mut all_methods = Vec::with_capacity(3);
    for &method in Method::ALL {
        let kept = soft_nms(boxes, &params.kernel_params(method), &mut ws).map_err(|e| e.to_string())?;
        all_methods.push(MethodRun { method, kept });
    }
    let chosen = params.method.0;
    let kept = all_methods.iter().find(|r| r.method == chosen).map(|r| r.kept.clone()).unwrap_or_default();
    let (steps, matches_reference) = if boxes.len() <= TRACE_LIMIT {
        let mut steps = Vec::new();
        let reference =
            soft_nms_reference(boxes, &params.kernel_params(chosen), Some(&mut steps)).map_err(|e| e.to_string())?;
        (Some(steps), Some(reference == kept))
    } else {
        (None, None)
    };
    Ok(Outcome { kept, steps, matches_reference, all_methods })
}

/// What has become of a box after some steps of the animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Still a candidate.
    Remaining,
    /// Selected at this step (0-based).
    Selected(usize),
    /// Fell below the threshold at this step.
    Discarded(usize),
}

/// Scores and statuses of every box after the first `step` selections of the trace.
pub fn replay(boxes: &[Detection], steps: &[Step], step: usize) -> Vec<(f32, Status)> {
    let mut state: Vec<(f32, Status)> = boxes.iter().map(|b| (b.score, Status::Remaining)).collect();
    for (k, s) in steps.iter().take(step).enumerate() {
        state[s.selected].1 = Status::Selected(k);
        for d in &s.decays {
            state[d.index] = (d.after, if d.discarded { Status::Discarded(k) } else { Status::Remaining });
        }
    }
    state
}

/// Why a step changed a box's score, in words.
pub fn explain(
    method: Method,
    convention: Convention,
    nt: f64,
    sigma: f64,
    iou: f32,
    before: f32,
    after: f32,
) -> String {
    if iou <= 0.0 {
        return "no overlap: unchanged".into();
    }
    let above = f64::from(iou) > nt;
    match method {
        Method::Hard if above => format!("IoU {iou:.3} > N_t {nt}: removed"),
        Method::Linear if above => format!("IoU {iou:.3} > N_t {nt}: × (1 − IoU) = × {:.4}", 1.0 - iou),
        Method::Hard | Method::Linear => format!("IoU {iou:.3} ≤ N_t {nt}: unchanged"),
        Method::Gaussian if convention == Convention::TensorFlow && above => {
            format!("IoU {iou:.3} > N_t {nt}: TensorFlow's hard cut removes it")
        }
        Method::Gaussian => {
            let weight = if before > 0.0 { after / before } else { 0.0 };
            let formula = if convention == Convention::Paper { "exp(−IoU²/σ)" } else { "exp(−IoU²/(2σ))" };
            format!("× {formula} = × {weight:.4} (σ = {sigma})")
        }
    }
}

/// A box in exported JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoxJson {
    /// Left edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
    /// Right edge.
    pub x2: f32,
    /// Bottom edge.
    pub y2: f32,
    /// Confidence.
    pub score: f32,
}

/// The exported scene: its boxes and the query string of the parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneJson {
    /// Format marker, so other JSON is refused with a clear message.
    pub format: String,
    /// The boxes.
    pub boxes: Vec<BoxJson>,
}

const SCENE_FORMAT: &str = "softscope-nms-scene/1";

/// The scene as pretty JSON.
pub fn scene_to_json(boxes: &[Detection]) -> String {
    let boxes = boxes.iter().map(|b| BoxJson { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score: b.score }).collect();
    serde_json::to_string_pretty(&SceneJson { format: SCENE_FORMAT.into(), boxes }).unwrap_or_default()
}

/// Reads a scene exported by [`scene_to_json`] (or a bare array of boxes); a message says what is wrong.
pub fn scene_from_json(text: &str) -> Result<Vec<Detection>, String> {
    let boxes: Vec<BoxJson> = match serde_json::from_str::<SceneJson>(text) {
        Ok(scene) if scene.format == SCENE_FORMAT => scene.boxes,
        Ok(scene) => return Err(format!("unknown scene format “{}”", scene.format)),
        Err(_) => serde_json::from_str(text).map_err(|e| format!("not a scene of boxes: {e}"))?,
    };
    if boxes.len() > SCENE_LIMIT {
        return Err(format!("{} boxes is more than the lab's limit of {SCENE_LIMIT}", boxes.len()));
    }
    boxes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let values = [b.x1, b.y1, b.x2, b.y2, b.score];
            if values.iter().all(|v| v.is_finite()) {
                Ok(snap(Detection { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score: b.score }))
            } else {
                Err(format!("box {i} has a value that is not a finite number"))
            }
        })
        .collect()
}

/// The kept boxes as CSV, in selection order.
pub fn results_csv(boxes: &[Detection], kept: &[Kept]) -> String {
    let mut csv = String::from("rank,box,x1,y1,x2,y2,score_before,score_after\n");
    for (rank, k) in kept.iter().enumerate() {
        let b = boxes[k.index];
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            rank + 1,
            k.index,
            b.x1,
            b.y1,
            b.x2,
            b.y2,
            b.score,
            k.score
        ));
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::UrlState;

    fn fixture() -> Vec<Detection> {
        let d = |x1, y1, x2, y2, score| Detection { x1, y1, x2, y2, score };
        vec![
            d(0.0, 0.0, 10.0, 10.0, 0.95),
            d(1.0, 1.0, 11.0, 11.0, 0.9),
            d(5.0, 0.0, 15.0, 10.0, 0.8),
            d(20.0, 20.0, 30.0, 30.0, 0.7),
            d(0.0, 0.0, 10.0, 10.0, 0.3),
        ]
    }

    #[test]
    fn edited_boxes_round_trip_through_the_url() {
        let params = NmsLabParams { boxes: BoxList(fixture()), method: Chosen(Method::Linear), ..Default::default() };
        let query = params.to_query_string();
        assert!(query.starts_with("boxes=0,0,10,10,0.95_1,1,11,11,0.9_"), "{query}");
        let (back, notices) = NmsLabParams::from_query_string(&query);
        assert_eq!((back, notices), (params, vec![]));
    }

    #[test]
    fn malformed_box_lists_are_refused() {
        for bad in ["1,2,3", "0,0,1,1,NaN", "a,b,c,d,e", &vec!["0,0,1,1,0.5"; 201].join("_")] {
            let (params, notices) = NmsLabParams::from_query_string(&format!("boxes={bad}"));
            assert_eq!(params.boxes, BoxList::default());
            assert_eq!(notices.len(), 1, "{bad}");
        }
    }

    #[test]
    fn the_generated_scene_is_seeded_and_snapped() {
        let params = NmsLabParams::default();
        let scene = params.scene();
        assert_eq!(scene.len(), 20);
        assert_eq!(scene, NmsLabParams::default().scene());
        assert!(scene.iter().all(|b| snap(*b) == *b));
    }

    #[test]
    fn run_checks_the_fast_kernel_against_the_reference() {
        let params = NmsLabParams { method: Chosen(Method::Linear), ..Default::default() };
        let outcome = run(&params, &fixture()).unwrap();
        assert_eq!(outcome.matches_reference, Some(true));
        assert_eq!(outcome.kept.iter().map(|k| k.index).collect::<Vec<_>>(), [0, 3, 2, 1]);
        assert_eq!(outcome.all_methods.len(), 3);
        assert_eq!(outcome.all_methods[0].kept.len(), 2, "hard NMS keeps A and D");
        assert!(run(&params, &[Detection { x1: f32::NAN, y1: 0.0, x2: 1.0, y2: 1.0, score: 0.5 }]).is_err());
    }

    #[test]
    fn replay_walks_the_trace() {
        let params = NmsLabParams { method: Chosen(Method::Linear), ..Default::default() };
        let boxes = fixture();
        let steps = run(&params, &boxes).unwrap().steps.unwrap();
        assert!(replay(&boxes, &steps, 0).iter().all(|s| s.1 == Status::Remaining));
        let after_one = replay(&boxes, &steps, 1);
        assert_eq!(after_one[0].1, Status::Selected(0));
        assert_eq!(after_one[4].1, Status::Discarded(0));
        assert!((after_one[1].0 - 0.9 * (1.0 - 0.704225)).abs() < 1e-6);
        let done = replay(&boxes, &steps, steps.len());
        assert_eq!(done[1].1, Status::Selected(3));
        // Past the end is the end.
        assert_eq!(replay(&boxes, &steps, 99), done);
    }

    #[test]
    fn explanations_name_the_rule() {
        let e = explain(Method::Linear, Convention::Paper, 0.3, 0.5, 0.7, 0.9, 0.27);
        assert_eq!(e, "IoU 0.700 > N_t 0.3: × (1 − IoU) = × 0.3000");
        assert_eq!(explain(Method::Hard, Convention::Paper, 0.3, 0.5, 0.2, 0.9, 0.9), "IoU 0.200 ≤ N_t 0.3: unchanged");
        assert!(explain(Method::Gaussian, Convention::TensorFlow, 0.3, 0.5, 0.5, 0.9, 0.0).contains("hard cut"));
        assert_eq!(explain(Method::Gaussian, Convention::Paper, 0.3, 0.5, 0.0, 0.9, 0.9), "no overlap: unchanged");
    }

    #[test]
    fn json_and_csv_exports() {
        let json = scene_to_json(&fixture());
        assert_eq!(scene_from_json(&json).unwrap(), fixture());
        let bare = r#"[{"x1":1,"y1":2,"x2":3,"y2":4,"score":0.5}]"#;
        assert_eq!(scene_from_json(bare).unwrap().len(), 1);
        assert!(scene_from_json("{\"format\":\"other\",\"boxes\":[]}").unwrap_err().contains("unknown scene format"));
        assert!(scene_from_json("not json").unwrap_err().starts_with("not a scene of boxes"));
        let csv = results_csv(&fixture(), &[Kept { index: 3, score: 0.7 }]);
        assert_eq!(csv, "rank,box,x1,y1,x2,y2,score_before,score_after\n1,3,20,20,30,30,0.7,0.7\n");
    }
}
