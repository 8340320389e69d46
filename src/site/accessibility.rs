//! The accessibility statement: the standard the portal aims at, how that is checked, what is
//! known not to meet it yet, and how to tell us about a problem.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let t = &crate::i18n::t().site.accessibility;
    view! {
        <Title text=t.title/>
        <article class="prose">
            <h1>{t.title}</h1>
            <p>{t.intro}</p>
            <h2>{t.target_heading}</h2>
            <p>{t.target_text}</p>
            <h2>{t.testing_heading}</h2>
            <ul>
                <li>{t.testing_axe}</li>
                <li>{t.testing_keyboard}</li>
                <li>{t.testing_reflow}</li>
            </ul>
            <p>{t.in_practice}</p>
            <h2>{t.limitations_heading}</h2>
            <ul>
                <li>{t.limitation_language}</li>
                <li>{t.limitation_user_text}</li>
            </ul>
            <h2>{t.feedback_heading}</h2>
            <p>{t.feedback_text}</p>
        </article>
    }
}
