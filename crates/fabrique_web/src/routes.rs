//! The HTML routes are registered through [`Routes`], which builds the axum router and, in
//! the same stroke, the table of every (method, path) it serves: the authorization and CSRF
//! tests walk that table, so a route added here without an expectation fails them.
//!
//! Usage mirrors axum: `Routes::new().route("/x/{id}", get(page).post(save))`.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;

use crate::AppState;

/// One registered route: its method and its path pattern (axum syntax, `{param}`).
pub type RouteEntry = (Method, &'static str);

/// An axum router that remembers its routes.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteEntry>,
}

/// The handlers of one path, by method.
pub struct On {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
}

/// A `GET` handler (axum also answers `HEAD` with it).
pub fn get<H: Handler<T, AppState>, T: 'static>(handler: H) -> On {
    On {
        router: axum::routing::get(handler),
        methods: vec![Method::GET],
    }
}

/// A `POST` handler.
pub fn post<H: Handler<T, AppState>, T: 'static>(handler: H) -> On {
    On {
        router: axum::routing::post(handler),
        methods: vec![Method::POST],
    }
}

impl On {
    /// Adds a `GET` handler.
    pub fn get<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> On {
        self.router = self.router.get(handler);
        self.methods.push(Method::GET);
        self
    }

    /// Adds a `POST` handler.
    pub fn post<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> On {
        self.router = self.router.post(handler);
        self.methods.push(Method::POST);
        self
    }
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// No route yet.
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Serves `path` with these handlers.
    pub fn route(mut self, path: &'static str, on: On) -> Self {
        self.router = self.router.route(path, on.router);
        self.table
            .extend(on.methods.into_iter().map(|method| (method, path)));
        self
    }

    /// Adds the routes of another group.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The axum router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    /// The (method, path) of every route.
    pub fn table(&self) -> &[RouteEntry] {
        &self.table
    }
}
