//! The accessibility statement: the standard the portal aims at, how that is checked, what is
//! known not to meet it yet, and how to tell us about a problem.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <Title text="Accessibility statement"/>
        <article class="prose">
            <h1>"Accessibility statement"</h1>
            <p>"We want everyone to be able to use Mini Program Platform: with a keyboard alone, with a screen reader, zoomed in, on a small screen, or with animations turned off."</p>
            <h2>"Our target"</h2>
            <p>"The portal aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, on every page, with JavaScript on and with JavaScript off."</p>
            <h2>"How we test it"</h2>
            <ul>
                <li>"An automated axe-core audit of every page, with the rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (the tags wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa). Each page is audited signed out, as an applicant and as a reviewer, including forms shown with their errors, both once the page has loaded its scripts and with JavaScript turned off."</li>
                <li>"A keyboard-only walk through the whole journey, from signing up, choosing a role, filling in and submitting the business information, to a reviewer approving it, checking that the focus is always visible and never trapped."</li>
                <li>"A check that every page fits a window 320 CSS pixels wide without scrolling sideways, which is also how the pages look at 400% zoom."</li>
            </ul>
            <p>"Among other things, this means: every form field has a label and says what it is for, so browsers and password managers can fill it in; after a failed submission the focus moves to a summary of the problems that links to each field; new applications and decisions are announced on the review dashboard; a status is always written out, never shown by colour alone; and text keeps a contrast of at least 4.5 to 1."</p>
            <h2>"Known limitations"</h2>
            <ul>
                <li>"The portal is only in English for now. Simplified Chinese is planned."</li>
                <li>"What people type (company names, rejection reasons) is shown as it was written, and may not be in the language of the page."</li>
            </ul>
            <h2>"Tell us about a problem"</h2>
            <p>"If something on the portal is hard or impossible for you to use, contact the platform's support. Tell us the address of the page, what you were trying to do, and the browser and any assistive technology you use. We will reply and, where we can, fix it or give you the information another way."</p>
        </article>
    }
}
