//! Colour-blind-safe colormaps and the pure values → RGBA heatmap rasteriser.

/// A colormap: a function from [0, 1] to an sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colormap {
    /// Sequential, perceptually uniform and readable with every common colour-vision deficiency (matplotlib's
    /// viridis, sampled at nine stops).
    Viridis,
    /// Diverging blue–grey–red around a midpoint (Moreland's cool–warm), for signed values such as negative
    /// attention weights.
    CoolWarm,
}

const VIRIDIS: [[u8; 3]; 9] = [
    [0x44, 0x01, 0x54],
    [0x47, 0x2D, 0x7B],
    [0x3B, 0x52, 0x8B],
    [0x2C, 0x72, 0x8E],
    [0x21, 0x90, 0x8C],
    [0x27, 0xAD, 0x81],
    [0x5D, 0xC8, 0x63],
    [0xAA, 0xDC, 0x32],
    [0xFD, 0xE7, 0x25],
];

const COOL_WARM: [[u8; 3]; 5] =
    [[0x3B, 0x4C, 0xC0], [0x8D, 0xB0, 0xFE], [0xDD, 0xDD, 0xDD], [0xF4, 0x9A, 0x7B], [0xB4, 0x04, 0x26]];

impl Colormap {
    fn stops(self) -> &'static [[u8; 3]] {
        match self {
            Self::Viridis => &VIRIDIS,
            Self::CoolWarm => &COOL_WARM,
        }
    }

    /// The colour at `t`, clamped to [0, 1]; NaN maps to the low end so a bad cell never breaks a picture.
    pub fn rgb(self, t: f32) -> [u8; 3] {
        let stops = self.stops();
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let position = t * (stops.len() - 1) as f32;
        let i = (position as usize).min(stops.len() - 2);
        let frac = position - i as f32;
        let (a, b) = (stops[i], stops[i + 1]);
        core::array::from_fn(|c| (a[c] as f32 + (b[c] as f32 - a[c] as f32) * frac).round() as u8)
    }

    /// CSS `rgb()` text of the colour at `t`, for legends drawn in HTML.
    pub fn css(self, t: f32) -> String {
        let [r, g, b] = self.rgb(t);
        format!("rgb({r},{g},{b})")
    }
}

/// Entries of the lookup table [`heatmap_rgba`] rasterises through: finer than a colour channel can show.
const LUT_SIZE: usize = 1024;

/// Maps a row-major `values` grid to opaque RGBA pixels, one per value, with `lo..hi` spanning the colormap.
///
/// Colours come from a table sampled once per call: whole 512 × 512 heatmaps are redrawn on every slider step,
/// and interpolating between stops per cell cost more than computing the weights.
pub fn heatmap_rgba(values: &[f32], colormap: Colormap, lo: f32, hi: f32) -> Vec<u8> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let last = (LUT_SIZE - 1) as f32;
    let table: Vec<[u8; 4]> = (0..LUT_SIZE)
        .map(|i| {
            let [r, g, b] = colormap.rgb(i as f32 / last);
            [r, g, b, 255]
        })
        .collect();
    let scale = last / span;
    let mut rgba = vec![0u8; values.len() * 4];
    for (pixel, &v) in rgba.chunks_exact_mut(4).zip(values) {
        // NaN maps to the low end, like `Colormap::rgb`; `as` saturates, and the clamp keeps the top in range.
        let t = ((v - lo) * scale + 0.5).max(0.0);
        let i = if t.is_nan() { 0 } else { (t as usize).min(LUT_SIZE - 1) };
        pixel.copy_from_slice(&table[i]);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_midpoints_hit_the_stops() {
        assert_eq!(Colormap::Viridis.rgb(0.0), [0x44, 0x01, 0x54]);
        assert_eq!(Colormap::Viridis.rgb(1.0), [0xFD, 0xE7, 0x25]);
        assert_eq!(Colormap::Viridis.rgb(0.5), [0x21, 0x90, 0x8C]);
        assert_eq!(Colormap::CoolWarm.rgb(0.5), [0xDD, 0xDD, 0xDD]);
        assert_eq!(Colormap::Viridis.css(0.0), "rgb(68,1,84)");
    }

    #[test]
    fn out_of_range_and_nan_are_clamped() {
        assert_eq!(Colormap::Viridis.rgb(-3.0), Colormap::Viridis.rgb(0.0));
        assert_eq!(Colormap::Viridis.rgb(7.0), Colormap::Viridis.rgb(1.0));
        assert_eq!(Colormap::Viridis.rgb(f32::NAN), Colormap::Viridis.rgb(0.0));
    }

    #[test]
    fn viridis_lightness_increases_monotonically() {
        // Perceived lightness (Rec. 709 luma) must grow along a sequential map, or it misleads.
        let luma = |[r, g, b]: [u8; 3]| 0.2126 * r as f32 + 0.7152 * g as f32 + 0.0722 * b as f32;
        let samples: Vec<f32> = (0..=100).map(|i| luma(Colormap::Viridis.rgb(i as f32 / 100.0))).collect();
        assert!(samples.windows(2).all(|w| w[1] >= w[0] - 0.5), "{samples:?}");
    }

    #[test]
    fn heatmap_has_one_opaque_pixel_per_value() {
        let rgba = heatmap_rgba(&[0.0, 0.5, 1.0, f32::NAN], Colormap::Viridis, 0.0, 1.0);
        assert_eq!(rgba.len(), 16);
        assert_eq!(&rgba[0..4], &[0x44, 0x01, 0x54, 255]);
        assert_eq!(&rgba[8..12], &[0xFD, 0xE7, 0x25, 255]);
        assert!(rgba.chunks(4).all(|p| p[3] == 255));
        // A flat grid (lo == hi) must not divide by zero.
        assert_eq!(heatmap_rgba(&[2.0, 2.0], Colormap::Viridis, 2.0, 2.0).len(), 8);
    }
}
