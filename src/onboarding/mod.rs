//! Onboarding (seed Step 2): choose a role, tell us about the business (with a logo), and
//! submit for review. The draft is kept on the server as the applicant goes; the application
//! itself (rows, history, how it is shown) belongs to `crate::applications`.

mod business;
#[cfg(feature = "ssr")]
pub mod logo;
mod role;
mod steps;
mod submitted;

#[cfg(feature = "ssr")]
pub use business::uploads;
pub use business::BusinessPage;
pub use role::{ChooseRole, ChooseRolePage};
pub use submitted::SubmittedPage;

use crate::applications::ApplicationView;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user's open draft, if any.
#[server(endpoint = "onboarding/draft")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn my_draft() -> Result<Option<ApplicationView>, AppError> {
    use crate::server::request::OrInternal;
    let user = crate::accounts::require_user().await?;
    let st = crate::server::request::state()?;
    crate::applications::store::latest_draft(&st.db, &user.user_id)
        .await
        .or_internal("reading a draft")
}
