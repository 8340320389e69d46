//! Accounts (seed Steps 1, 4, 5): sign up with an e-mailed code, sign in, sign out, and
//! change a forgotten password; who is signed in; and the account page (change the password,
//! signed-in devices, export my data, delete my account).

mod account;
mod code_sender;
mod deletion;
mod export;
mod password_reset;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod reviewers;
pub mod second_factor;
mod session;
mod signin;
mod signup;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
mod verification;

pub use account::{
    AccountPage, ChangePassword, Device, MyDevices, SignOutDevice, SignOutEverywhereElse,
};
pub use deletion::{DeleteAccount, DeleteAccountSection};
pub use export::ExportSection;
#[cfg(feature = "ssr")]
pub use export::{export as export_my_data, EXPORT_PATH};
pub use password_reset::{ForgotPasswordPage, ResetPassword, SendResetCode};
pub use second_factor::{
    SecondFactorPage, SignInCodePage, RECOVERY_CODES_PATH, SECOND_FACTOR_PATH, SIGN_IN_CODE_PATH,
};
pub use session::{current_user, sign_out, SignOut, SignedInUser};
#[cfg(feature = "ssr")]
pub use session::{require_user, require_user_enrolling, signed_in_user};
pub use signin::{SignIn, SignInPage};
pub use signup::{SendSignUpCode, SignUp, SignUpPage};
/// Which version of each legal document a user accepted, when and from where.
#[cfg(feature = "ssr")]
pub use store::record_acceptance;

use serde::{Deserialize, Serialize};

/// What "Send code" answers (the same whether or not the address has an account, for
/// privacy): where the code went and how many seconds until another may be asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub email: String,
    pub resend_in: u64,
}
