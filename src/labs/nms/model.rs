//! The Soft-NMS lab's pure model: seeded scenes of jittered detection boxes clustered around objects.

use crate::canvas::charts::ScoredBox;
use softscope_kernels::rng::SplitMix64;

/// Scene width in scene units (pixels of the source image).
pub const SCENE_W: f32 = 640.0;
/// Scene height in scene units.
pub const SCENE_H: f32 = 400.0;

crate::url_state! {
    /// The Soft-NMS lab's parameters, all in the URL.
    pub struct NmsParams {
        objects: u32 = 6, range(1, 50), "Objects";
        per_object: u32 = 5, range(1, 40), "Boxes per object";
        seed: u64 = 1, "Seed";
    }
}

/// `objects` ground-truth boxes, each surrounded by `per_object` jittered detections with uniform scores.
pub fn clustered_scene(params: &NmsParams) -> Vec<ScoredBox> {
    let mut rng = SplitMix64::new(params.seed);
    let mut boxes = Vec::with_capacity((params.objects * params.per_object) as usize);
    for _ in 0..params.objects {
        let w = rng.uniform(40.0, 160.0);
        let h = rng.uniform(40.0, 160.0);
        let cx = rng.uniform(w / 2.0, f64::from(SCENE_W) - w / 2.0);
        let cy = rng.uniform(h / 2.0, f64::from(SCENE_H) - h / 2.0);
        for _ in 0..params.per_object {
            let jitter = |rng: &mut SplitMix64, size: f64| 0.12 * size * rng.normal();
            let (x, y) = (cx + jitter(&mut rng, w), cy + jitter(&mut rng, h));
            let (bw, bh) = (w * (1.0 + 0.1 * rng.normal()), h * (1.0 + 0.1 * rng.normal()));
            boxes.push(ScoredBox {
                x1: (x - bw / 2.0).max(0.0) as f32,
                y1: (y - bh / 2.0).max(0.0) as f32,
                x2: (x + bw / 2.0).min(f64::from(SCENE_W)) as f32,
                y2: (y + bh / 2.0).min(f64::from(SCENE_H)) as f32,
                score: rng.uniform(0.05, 1.0) as f32,
            });
        }
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_seeded_sized_and_inside_the_image() {
        let p = NmsParams::default();
        let scene = clustered_scene(&p);
        assert_eq!(scene.len(), 30);
        assert_eq!(scene, clustered_scene(&p));
        assert_ne!(scene, clustered_scene(&NmsParams { seed: 2, ..p }));
        for b in &scene {
            assert!(0.0 <= b.x1 && b.x1 < b.x2 && b.x2 <= SCENE_W, "{b:?}");
            assert!(0.0 <= b.y1 && b.y1 < b.y2 && b.y2 <= SCENE_H, "{b:?}");
            assert!((0.05..1.0).contains(&b.score));
        }
    }
}
