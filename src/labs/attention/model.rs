//! The attention lab's pure model: seeded queries and keys, every method's weight rows, their measures, and
//! entropy against query-norm scale.

use crate::url_state::{QueryValue, Range};
use softscope_kernels::attention::{measures, weights, Method, Prepared, RowKind};
use softscope_kernels::raster::finite_range;
use softscope_kernels::rng::SplitMix64;
use std::borrow::Borrow;

/// The methods the lab offers, in display order: every method the kernels have.
pub const METHODS: [Method; 14] = Method::ALL;

/// A method's name in the URL.
pub fn slug(method: Method) -> &'static str {
    match method {
        Method::Softmax => "softmax",
        Method::Selective { .. } => "selective",
        Method::Sigmoid => "sigmoid",
        Method::ReluSeqlen => "relu",
        Method::Lssa => "lssa",
        Method::Lssar { .. } => "lssar",
        Method::LinearElu => "linear-elu",
        Method::LinearRelu => "linear-relu",
        Method::MalaPaper => "mala",
        Method::MalaCode => "mala-code",
        Method::NaLa => "nala",
        Method::SoftGaussian => "soft",
        Method::StableMax => "stablemax",
        Method::Entmax15 => "entmax15",
    }
}

/// A method's name for people.
pub fn label(method: Method) -> &'static str {
    match method {
        Method::Softmax => "softmax",
        Method::Selective { .. } => "selective softmax (β = 2)",
        Method::Sigmoid => "sigmoid (b = −ln n)",
        Method::ReluSeqlen => "ReLU / n",
        Method::Lssa => "LSSA (softplus)",
        Method::Lssar { .. } => "LSSAR (p = 15)",
        Method::LinearElu => "linear, elu + 1",
        Method::LinearRelu => "linear, ReLU",
        Method::MalaPaper => "MALA",
        Method::MalaCode => "MALA (code form)",
        Method::NaLa => "NaLaFormer",
        Method::SoftGaussian => "SOFT (Gaussian)",
        Method::StableMax => "StableMax",
        Method::Entmax15 => "entmax-1.5",
    }
}

/// The methods shown, as a comma-separated list of slugs.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodList(pub Vec<Method>);

impl Default for MethodList {
    fn default() -> Self {
        Self(vec![Method::Softmax, Method::LinearRelu, Method::MalaPaper, Method::NaLa])
    }
}

impl QueryValue for MethodList {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        text.split(',')
            .filter(|t| !t.is_empty())
            .map(|t| METHODS.iter().copied().find(|m| slug(*m) == t).ok_or_else(|| format!("unknown method “{t}”")))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
    fn to_query(&self) -> String {
        self.0.iter().map(|m| slug(*m)).collect::<Vec<_>>().join(",")
    }
}

/// The 2-D mode's points: the query first, then the keys; `x,y` pairs joined by `_`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanePoints(pub Vec<(f64, f64)>);

impl Default for PlanePoints {
    fn default() -> Self {
        Self(vec![(1.5, 1.0), (2.0, 0.5), (1.0, 2.0), (-1.0, 1.5), (-2.0, -1.0), (0.5, -2.0), (2.5, 2.5)])
    }
}

/// The most keys the 2-D mode holds.
pub const PLANE_KEYS: usize = 16;

/// Rounds plane coordinates to what a link holds (0.01) and keeps them on the plane.
pub fn snap_point((x, y): (f64, f64)) -> (f64, f64) {
    let r = |v: f64| ((v * 100.0).round() / 100.0).clamp(-4.0, 4.0);
    (r(x), r(y))
}

impl QueryValue for PlanePoints {
    fn parse_query(text: &str, _: Option<Range>) -> Result<Self, String> {
        let points = text
            .split('_')
            .map(|pair| {
                let (x, y) = pair.split_once(',')?;
                let (x, y): (f64, f64) = (x.parse().ok()?, y.parse().ok()?);
                (x.is_finite() && y.is_finite() && x.abs() <= 4.0 && y.abs() <= 4.0).then_some((x, y))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("each point must be x,y with both between −4 and 4")?;
        if !(2..=PLANE_KEYS + 1).contains(&points.len()) {
            return Err(format!("the plane holds a query and 1 to {PLANE_KEYS} keys"));
        }
        Ok(Self(points))
    }
    fn to_query(&self) -> String {
        self.0.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join("_")
    }
}

/// Weights of `method` for the plane's query over its keys (d = 2).
pub fn plane_weights(points: &PlanePoints, method: Method) -> Vec<f32> {
    let (q, keys) = points.0.split_first().map_or(((0.0, 0.0), &[][..]), |(q, k)| (*q, k));
    let q = [q.0 as f32, q.1 as f32];
    let flat: Vec<f32> = keys.iter().flat_map(|&(x, y)| [x as f32, y as f32]).collect();
    let mut out = vec![0.0f32; keys.len()];
    if weights(method, &q, &flat, &mut out).is_err() {
        out.fill(f32::NAN);
    }
    out
}

/// The plane's keys and each method's weight as CSV.
pub fn plane_csv(points: &PlanePoints, weights: &[(Method, Vec<f32>)]) -> String {
    let mut csv = String::from("key,x,y");
    for (m, _) in weights {
        csv.push(',');
        csv.push_str(slug(*m));
    }
    csv.push('\n');
    for (j, (x, y)) in points.0.iter().skip(1).enumerate() {
        csv.push_str(&format!("k{},{x},{y}", j + 1));
        for (_, w) in weights {
            csv.push_str(&format!(",{}", w[j]));
        }
        csv.push('\n');
    }
    csv
}

crate::url_state! {
    /// The attention lab's parameters, all in the URL.
    pub struct AttentionParams {
        queries: u32 = 32, range(1, 512), "Number of queries";
        keys: u32 = 64, range(4, 4096), "Number of keys";
        dim: u32 = 16, range(2, 256), "Head dimension d";
        query_scale: f64 = 1.0, range(0.1, 10.0), "Query norm scale";
        key_spread: f64 = 0.0, range(0.0, 2.0), "Key-norm spread";
        concentration: f64 = 0.0, range(0.0, 20.0), "Direction concentration";
        seed: u64 = 1, "Seed";
        methods: MethodList = MethodList::default(), "Methods";
        plane: PlanePoints = PlanePoints::default(), "2-D query and keys";
    }
}

/// The default number of queries.
pub const QUERIES: usize = 32;
/// Queries averaged for the entropy-vs-scale curves, at most.
pub const CURVE_QUERIES: usize = 8;
/// Points of the entropy-vs-scale curves, evenly spaced in log10 of the scale.
pub const CURVE_POINTS: usize = 25;
/// Weights one heatmap holds: 512 queries × 512 keys, a canvas' worth of cells that every slider can redraw live.
const HEATMAP_CELLS: usize = 512 * 512;

/// Query rows of the heatmaps for `queries` queries over `keys`: all of them up to 512 × 512 cells, down to 4
/// rows for the widest scenes.
pub fn heatmap_rows(queries: usize, keys: usize) -> usize {
    (HEATMAP_CELLS / keys.max(1)).clamp(4, 512).min(queries)
}

/// Seeded queries (unit scale) and keys, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Head dimension.
    pub dim: usize,
    /// queries × dim.
    pub queries: Vec<f32>,
    /// keys × dim.
    pub keys: Vec<f32>,
}

/// Queries are standard normal; keys share a mean direction with weight `concentration` and have log-normal
/// norms with spread `key_spread`.
pub fn scene(params: &AttentionParams) -> Scene {
    let d = params.dim as usize;
    let mut rng = SplitMix64::new(params.seed);
    let queries: Vec<f32> = (0..params.queries as usize * d).map(|_| rng.normal() as f32).collect();
    let mean: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let mean_norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
    let mut keys = Vec::with_capacity(params.keys as usize * d);
    for _ in 0..params.keys {
        let direction: Vec<f64> =
            mean.iter().map(|m| rng.normal() / (d as f64).sqrt() + params.concentration * m / mean_norm).collect();
        let length = direction.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
        let key_norm = (d as f64).sqrt() * (params.key_spread * rng.normal()).exp();
        keys.extend(direction.iter().map(|v| (v / length * key_norm) as f32));
    }
    Scene { dim: d, queries, keys }
}

/// One method's weights for the first `rows` queries at `query_scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodMap {
    /// Which method.
    pub method: Method,
    /// Row-major rows × keys.
    pub weights: Vec<f32>,
    /// Number of rows.
    pub rows: usize,
    /// Number of keys.
    pub cols: usize,
    /// Per-row entropy (of |w|/Σ|w| for flagged rows).
    pub row_entropy: Vec<f64>,
    /// Mean row sum.
    pub mean_sum: f64,
    /// Whether rows are unnormalised or negative.
    pub kind: RowKind,
    /// The smallest and largest finite weight ((f32::MAX, f32::MIN) when there is none).
    pub range: (f32, f32),
}

impl MethodMap {
    /// Mean of the rows' entropies.
    pub fn mean_entropy(&self) -> f64 {
        self.row_entropy.iter().sum::<f64>() / self.rows.max(1) as f64
    }
}

/// The scene's first `rows` queries and its keys, with their scores, ready for every method at any scale. `None`
/// when the scene is empty, which the URL ranges rule out.
pub fn prepare(scene: &Scene, rows: usize) -> Option<Prepared> {
    let rows = rows.min(scene.queries.len() / scene.dim.max(1));
    Prepared::new(&scene.queries[..rows * scene.dim], &scene.keys, scene.dim).ok()
}

/// `method` on the first `rows` prepared queries scaled by `query_scale`.
pub fn method_map(prepared: &Prepared, method: Method, rows: usize, query_scale: f64) -> MethodMap {
    let (rows, cols) = (rows.min(prepared.queries()), prepared.keys());
    let mut all = vec![0.0f32; rows * cols];
    // The shapes agree by construction; a refusal would leave NaN rows, which the figures show as such.
    let kind = prepared.rows(method, query_scale as f32, rows, &mut all).unwrap_or_else(|_| {
        all.fill(f32::NAN);
        RowKind::Distribution
    });
    let measured: Vec<_> = all.chunks_exact(cols.max(1)).map(|row| measures(row, 1)).collect();
    let mean_sum = measured.iter().map(|m| m.sum).sum::<f64>() / rows.max(1) as f64;
    let range = finite_range(&all);
    MethodMap {
        method,
        weights: all,
        rows,
        cols,
        row_entropy: measured.iter().map(|m| m.entropy).collect(),
        mean_sum,
        kind,
        range,
    }
}

/// Mean row entropy of `method` over the first `queries` prepared queries at `points` scales evenly spaced in
/// log10 from 0.1 to 10.
pub fn entropy_curve(prepared: &Prepared, method: Method, queries: usize, points: usize) -> Vec<(f64, f64)> {
    (0..points)
        .map(|i| {
            let log_scale = -1.0 + 2.0 * i as f64 / (points - 1).max(1) as f64;
            (log_scale, method_map(prepared, method, queries, 10f64.powf(log_scale)).mean_entropy())
        })
        .collect()
}

/// The weights of every method as JSON: rows, columns and the row-major weights.
pub fn weights_json<M: Borrow<MethodMap>>(maps: &[M]) -> String {
    let value: serde_json::Map<String, serde_json::Value> = maps
        .iter()
        .map(|m| {
            let m = m.borrow();
            let rows: Vec<&[f32]> = m.weights.chunks(m.cols.max(1)).collect();
            (
                slug(m.method).to_string(),
                serde_json::json!({ "rows": m.rows, "cols": m.cols, "weights": rows, "row_entropy": m.row_entropy }),
            )
        })
        .collect();
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The curves as CSV: one column per method.
pub fn curves_csv(curves: &[(Method, Vec<(f64, f64)>)]) -> String {
    let mut csv = String::from("query_scale");
    for (m, _) in curves {
        csv.push(',');
        csv.push_str(slug(*m));
    }
    csv.push('\n');
    let points = curves.first().map_or(0, |c| c.1.len());
    for i in 0..points {
        csv.push_str(&format!("{}", 10f64.powf(curves[0].1[i].0)));
        for (_, c) in curves {
            csv.push_str(&format!(",{}", c[i].1));
        }
        csv.push('\n');
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::UrlState;

    #[test]
    fn softmax_rows_are_distributions() {
        let p = AttentionParams::default();
        let map = method_map(&prepare(&scene(&p), QUERIES).unwrap(), Method::Softmax, QUERIES, 1.0);
        assert_eq!((map.rows, map.cols, map.weights.len()), (QUERIES, 64, QUERIES * 64));
        for row in map.weights.chunks_exact(map.cols) {
            let sum: f32 = row.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5 && row.iter().all(|&w| w >= 0.0));
        }
        let (lo, hi) = map.range;
        assert_eq!(lo, map.weights.iter().copied().fold(f32::MAX, f32::min));
        assert_eq!(hi, map.weights.iter().copied().fold(f32::MIN, f32::max));
        assert!(0.0 < lo && lo < hi && hi < 1.0);
    }

    #[test]
    fn entropy_falls_with_query_norm_for_softmax_but_not_relu_linear() {
        let s = prepare(&scene(&AttentionParams::default()), CURVE_QUERIES).unwrap();
        let softmax = entropy_curve(&s, Method::Softmax, CURVE_QUERIES, 12);
        assert!(softmax.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-6), "{softmax:?}");
        assert!(softmax[0].1 > 0.95 * (64f64).ln(), "tiny queries attend almost uniformly");
        assert!(softmax[11].1 < 0.6 * softmax[0].1);
        let relu = entropy_curve(&s, Method::LinearRelu, CURVE_QUERIES, 12);
        assert!(relu.windows(2).all(|w| (w[1].1 - w[0].1).abs() < 1e-6), "{relu:?}");
    }

    #[test]
    fn methods_round_trip_through_the_url() {
        let params = AttentionParams { methods: MethodList(vec![Method::NaLa, Method::Sigmoid]), ..Default::default() };
        let query = params.to_query_string();
        assert_eq!(query, "methods=nala,sigmoid");
        assert_eq!(AttentionParams::from_query_string(&query), (params, vec![]));
        assert_eq!(AttentionParams::from_query_string("methods=nala,bogus").1.len(), 1);
    }

    #[test]
    fn key_controls_shape_the_scene() {
        let base = AttentionParams::default();
        let concentrated = scene(&AttentionParams { concentration: 20.0, ..base.clone() });
        let d = base.dim as usize;
        let cosine = |a: &[f32], b: &[f32]| {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            dot / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt())
        };
        assert!(cosine(&concentrated.keys[..d], &concentrated.keys[d..2 * d]) > 0.99);
        let spread = scene(&AttentionParams { key_spread: 1.0, ..base });
        let norms: Vec<f32> = spread.keys.chunks(d).map(|k| k.iter().map(|x| x * x).sum::<f32>().sqrt()).collect();
        let (lo, hi) = norms.iter().fold((f32::MAX, 0.0f32), |(lo, hi), &n| (lo.min(n), hi.max(n)));
        assert!(hi / lo > 5.0);
    }

    #[test]
    fn plane_points_round_trip_and_give_weights() {
        let params = AttentionParams {
            plane: PlanePoints(vec![(1.0, 0.5), (1.0, 0.2), (0.5, 0.5), (0.2, 1.0)]),
            ..Default::default()
        };
        let query = params.to_query_string();
        assert_eq!(query, "plane=1,0.5_1,0.2_0.5,0.5_0.2,1");
        assert_eq!(AttentionParams::from_query_string(&query), (params.clone(), vec![]));
        // ALGORITHMS.md §3.5 at c = 1.
        let w = plane_weights(&params.plane, Method::Softmax);
        for (w, want) in w.iter().zip([0.3946, 0.3081, 0.2974]) {
            assert!((f64::from(*w) - want).abs() < 1e-4);
        }
        for bad in ["plane=1,1", "plane=9,0_1,1", "plane=a,b_1,1"] {
            assert_eq!(AttentionParams::from_query_string(bad).1.len(), 1, "{bad}");
        }
        assert_eq!(snap_point((1.234, -7.0)), (1.23, -4.0));
    }

    #[test]
    fn plane_exports_as_csv() {
        let points = PlanePoints::default();
        let csv = plane_csv(&points, &[(Method::Softmax, plane_weights(&points, Method::Softmax))]);
        assert!(csv.starts_with("key,x,y,softmax\nk1,2,0.5,0."), "{csv}");
        assert_eq!(csv.lines().count(), points.0.len());
    }

    #[test]
    fn heatmaps_stay_within_their_budget() {
        assert_eq!(heatmap_rows(QUERIES, 64), QUERIES);
        assert_eq!(heatmap_rows(512, 512), 512);
        assert_eq!(heatmap_rows(512, 4096), 64);
        let s = scene(&AttentionParams { queries: 512, keys: 4096, ..Default::default() });
        assert_eq!(prepare(&s, heatmap_rows(512, 4096)).unwrap().queries(), 64);
    }

    #[test]
    fn weights_export_as_json() {
        let s = scene(&AttentionParams { keys: 4, queries: 2, ..Default::default() });
        let json: serde_json::Value =
            serde_json::from_str(&weights_json(&[method_map(&prepare(&s, 2).unwrap(), Method::Softmax, 2, 1.0)]))
                .unwrap();
        assert_eq!(json["softmax"]["rows"], 2);
        assert_eq!(json["softmax"]["weights"].as_array().unwrap().len(), 2);
        assert_eq!(json["softmax"]["weights"][0].as_array().unwrap().len(), 4);
    }

    #[test]
    fn curves_csv_has_a_column_per_method() {
        let s = scene(&AttentionParams { keys: 8, ..Default::default() });
        let curves = vec![(Method::Softmax, entropy_curve(&prepare(&s, 2).unwrap(), Method::Softmax, 2, 3))];
        let csv = curves_csv(&curves);
        assert!(csv.starts_with("query_scale,softmax\n0.1,"), "{csv}");
        assert_eq!(csv.lines().count(), 4);
    }
}
