use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LandingPage() -> impl IntoView {
    let t = &crate::i18n::t().site.landing;
    view! {
        <Title text=""/>
        <section class="hero">
            <div class="hero__text">
                <p class="eyebrow">{t.eyebrow}</p>
                <h1>{t.heading}</h1>
                <p class="hero__lead">{t.lead}</p>
                <div class="hero__actions">
                    <a class="btn btn--primary btn--large" href="/signup">{t.get_started}</a>
                    <a class="btn btn--ghost btn--large" href="/signin">{t.sign_in}</a>
                </div>
            </div>
            <ol class="steps" aria-label=t.steps_label>
                <li><strong>{t.step_apply}</strong><span>{t.step_apply_text}</span></li>
                <li><strong>{t.step_role}</strong><span>{t.step_role_text}</span></li>
                <li><strong>{t.step_wait}</strong><span>{t.step_wait_text}</span></li>
                <li><strong>{t.step_log_in}</strong><span>{t.step_log_in_text}</span></li>
            </ol>
        </section>
        <section class="concepts" aria-labelledby="concepts-title">
            <h2 id="concepts-title">{t.concepts_heading}</h2>
            <dl class="concepts__list">
                <div><dt>{t.merchant}</dt><dd>{t.merchant_text}</dd></div>
                <div><dt>{t.isv}</dt><dd>{t.isv_text}</dd></div>
                <div><dt>{t.platform}</dt><dd>{t.platform_text}</dd></div>
            </dl>
        </section>
    }
}
