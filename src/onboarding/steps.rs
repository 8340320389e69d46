//! The step indicator: account, role, business information, review.

use leptos::prelude::*;

#[component]
pub fn Steps(
    /// Index of the current step in account, role, business information, review.
    current: usize,
) -> impl IntoView {
    let s = &crate::i18n::t().onboarding.steps;
    view! {
        <ol class="wizard-steps" aria-label=s.label>
            {[s.account, s.role, s.business, s.review]
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let state = if i < current { "done" } else if i == current { "current" } else { "todo" };
                    view! {
                        <li class=format!("wizard-steps__item wizard-steps__item--{state}")
                            aria-current=(i == current).then_some("step")>
                            <span class="wizard-steps__dot" aria-hidden="true">{if i < current { "✓".to_string() } else { (i + 1).to_string() }}</span>
                            <span>{*label}</span>
                            {(i < current).then(|| view! { <span class="visually-hidden">{s.done}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
