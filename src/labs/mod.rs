//! The registry of labs: navigation, routes, landing cards and the browser test all walk [`LabId::ALL`].

pub mod attention;
pub mod grokking;
pub mod nms;
pub mod softmax;

use leptos::prelude::*;

/// What the shell shows of a lab before opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabMeta {
    /// The route segment, e.g. `softmax` for `/softmax`.
    pub slug: &'static str,
    /// The title in navigation and headings.
    pub title: &'static str,
    /// One line for the landing card.
    pub summary: &'static str,
    /// A paragraph on what the lab shows and why it matters.
    pub description: &'static str,
}

/// One of Softscope's labs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabId {
    /// Softmax algorithms, alternatives and their numerics.
    Softmax,
    /// Attention score distributions of softmax and its linear-attention relatives.
    Attention,
    /// Live training on modular arithmetic and Softmax Collapse.
    Grokking,
    /// Hard NMS and Soft-NMS on draggable detection boxes.
    Nms,
}

impl LabId {
    /// Every lab, in navigation order.
    pub const ALL: [LabId; 4] = [Self::Softmax, Self::Attention, Self::Grokking, Self::Nms];

    /// The lab's title, slug and texts.
    pub fn meta(self) -> &'static LabMeta {
        match self {
            Self::Softmax => &softmax::META,
            Self::Attention => &attention::META,
            Self::Grokking => &grokking::META,
            Self::Nms => &nms::META,
        }
    }

    /// The lab whose route segment is `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|lab| lab.meta().slug == slug)
    }

    /// The lab's page.
    pub fn view(self) -> AnyView {
        match self {
            Self::Softmax => view! { <softmax::SoftmaxLab/> }.into_any(),
            Self::Attention => view! { <attention::AttentionLab/> }.into_any(),
            Self::Grokking => view! { <grokking::GrokkingLab/> }.into_any(),
            Self::Nms => view! { <nms::NmsLab/> }.into_any(),
        }
    }

    /// The small live figure on the lab's landing card.
    pub fn thumbnail(self) -> AnyView {
        match self {
            Self::Softmax => view! { <softmax::Thumbnail/> }.into_any(),
            Self::Attention => view! { <attention::Thumbnail/> }.into_any(),
            Self::Grokking => view! { <grokking::Thumbnail/> }.into_any(),
            Self::Nms => view! { <nms::Thumbnail/> }.into_any(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LabId;

    #[test]
    fn slugs_are_unique_and_round_trip() {
        for lab in LabId::ALL {
            assert_eq!(LabId::from_slug(lab.meta().slug), Some(lab));
        }
        assert_eq!(LabId::from_slug("bench"), None);
        assert_eq!(LabId::from_slug(""), None);
    }
}
