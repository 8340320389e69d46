//! Accounts (seed Steps 1, 4, 5): sign up with an e-mailed code, sign in, sign out, and
//! change a forgotten password; and who is signed in.

mod code_sender;
mod password_reset;
mod session;
mod signin;
mod signup;
#[cfg(feature = "ssr")]
pub mod store;

pub use password_reset::{ForgotPasswordPage, ResetPassword};
pub use session::{current_user, sign_out, SignOut, SignedInUser, UserResource};
#[cfg(feature = "ssr")]
pub use session::{require_user, signed_in_user};
pub use signin::{SignIn, SignInPage};
pub use signup::{SignUp, SignUpPage};

use serde::{Deserialize, Serialize};

/// What a two-step form (send a code, then use it) answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeStep {
    /// A code is on its way (or, for privacy, the same answer when none was needed).
    CodeSent {
        email: String,
        resend_in: u64,
    },
    Done,
}
