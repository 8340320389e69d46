//! The step indicator: account, role, business information, review.

use leptos::prelude::*;

const STEPS: [&str; 4] = ["Account", "Role", "Business information", "Review"];

#[component]
pub fn Steps(
    /// Index of the current step in account, role, business information, review.
    current: usize,
) -> impl IntoView {
    view! {
        <ol class="wizard-steps" aria-label="Onboarding progress">
            {STEPS
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let state = if i < current { "done" } else if i == current { "current" } else { "todo" };
                    view! {
                        <li class=format!("wizard-steps__item wizard-steps__item--{state}")
                            aria-current=(i == current).then_some("step")>
                            <span class="wizard-steps__dot" aria-hidden="true">{if i < current { "✓".to_string() } else { (i + 1).to_string() }}</span>
                            <span>{*label}</span>
                            {(i < current).then(|| view! { <span class="visually-hidden">" (done)"</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
