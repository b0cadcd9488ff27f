//! Demo documents: free recipes and pages of the three demo organisations.

use crate::{App, AppResult};

/// Loads the demo documents (after the demo organisations exist).
pub async fn load(_app: &App) -> AppResult<()> {
    Ok(())
}
