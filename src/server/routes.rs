//! Routes: HTTP requests to knowledge-base calls and JSON answers.
//! Errors are always `{"error": slug, "detail": sentence}`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::timeout::TimeoutLayer;

use super::live::LiveIndex;
use crate::error::Error;
use crate::model::DocType;
use crate::output::document_json;
use crate::record::{Record, RecordKind};
use crate::search::syntax::MAX_QUERY_CHARS;
use crate::search::{KnowledgeBase, SearchRequest, MAX_LIMIT};

/// Deepest page start accepted (`offset`).
pub const MAX_OFFSET: usize = 10_000;

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");

/// The page may load only its own script and style, and fetch only this server.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                        connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                        form-action 'self'; frame-ancestors 'none'";

type Live = State<Arc<LiveIndex>>;

/// The whole application: API, page and the layers every request passes.
pub fn router(live: Arc<LiveIndex>, timeout: Duration) -> Router {
    let api = Router::new()
        .route("/", get(page))
        .route("/assets/page.js", get(script))
        .route("/assets/page.css", get(style))
        .route("/health", get(health))
        .route("/api/search", get(search))
        .route("/api/facets", get(facets))
        .route("/api/documents", get(documents))
        .route("/api/documents/{id}", get(document))
        .route("/api/articles/{id}", get(article))
        .route("/api/cases", get(cases))
        .route("/api/figures", get(figures))
        .route("/api/measures", get(measures))
        .route("/api/units", get(units))
        .fallback(not_found)
        .with_state(live);
    with_layers(api, timeout)
}

/// Request timeout (503), then every error answer made JSON.
fn with_layers(router: Router, timeout: Duration) -> Router {
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(axum::middleware::map_response(json_errors))
}

/// An error answer.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    error: &'static str,
    detail: String,
}

impl ApiError {
    fn bad(error: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error,
            detail: detail.into(),
        }
    }

    fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            detail: detail.into(),
        }
    }

    fn internal(detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        eprintln!("govkb: internal error: {detail}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "internal",
            detail,
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Input(detail) => ApiError::bad("bad_request", detail),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.error, "detail": self.detail })),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Give an error answer made by a layer or by axum itself (timeout, 405 …) a JSON body.
async fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (error, detail) = match status {
        StatusCode::SERVICE_UNAVAILABLE => (
            "timeout",
            "the request took too long; try a narrower query".to_string(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "only GET is supported".to_string())
        }
        s => (
            "http_error",
            s.canonical_reason().unwrap_or("error").to_string(),
        ),
    };
    ApiError {
        status,
        error,
        detail,
    }
    .into_response()
}

/// Run knowledge-base work on the blocking pool with the current generation.
async fn with_kb<T: Send + 'static>(
    live: &Arc<LiveIndex>,
    work: impl FnOnce(&KnowledgeBase) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let kb = live.get();
    tokio::task::spawn_blocking(move || work(&kb))
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
}

/// Query-string parameters of searches; all optional, parsed by [`Params::request`].
#[derive(Debug, Default, Deserialize)]
struct Params {
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    kind: Option<String>,
    doc_type: Option<String>,
    year: Option<String>,
    region: Option<String>,
    unit: Option<String>,
    within: Option<String>,
    per_article: Option<String>,
}

/// A parameter's value, `None` when absent or blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number(v: &Option<String>, name: &str, error: &'static str) -> ApiResult<Option<usize>> {
    given(v)
        .map(|s| {
            s.parse::<usize>().map_err(|_| {
                ApiError::bad(error, format!("`{name}` must be a whole number, got `{s}`"))
            })
        })
        .transpose()
}

impl Params {
    /// The search request these parameters ask for; `fixed` is the kind a
    /// route is about (`/api/figures`), which `kind` may not contradict.
    fn request(&self, fixed: Option<RecordKind>) -> ApiResult<SearchRequest> {
        let query = given(&self.q).ok_or_else(|| {
            ApiError::bad("missing_query", "give a query in `q`, e.g. `?q=积分制`")
        })?;
        let chars = query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(ApiError::bad(
                "query_too_long",
                format!("the query is {chars} characters long; the limit is {MAX_QUERY_CHARS}"),
            ));
        }
        let limit = number(&self.limit, "limit", "bad_limit")?.unwrap_or(10);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad(
                "bad_limit",
                format!("`limit` must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }
        let offset = number(&self.offset, "offset", "bad_offset")?.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad(
                "bad_offset",
                format!("`offset` must be at most {MAX_OFFSET}, got {offset}"),
            ));
        }
        let kind = match (given(&self.kind), fixed) {
            (None, None) => RecordKind::Passage,
            (None, Some(k)) => k,
            (Some(name), fixed) => {
                let kind = RecordKind::parse(name).ok_or_else(|| {
                    let known: Vec<_> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
                    ApiError::bad(
                        "unknown_kind",
                        format!("unknown kind `{name}`; use one of {}", known.join(", ")),
                    )
                })?;
                if fixed.is_some_and(|f| f != kind) {
                    return Err(ApiError::bad(
                        "unknown_kind",
                        format!(
                            "this route only returns `{}` records",
                            fixed.map_or("", RecordKind::as_str)
                        ),
                    ));
                }
                kind
            }
        };
        let doc_type = given(&self.doc_type)
            .map(|t| {
                DocType::parse(t).ok_or_else(|| {
                    ApiError::bad(
                        "unknown_doc_type",
                        format!("unknown doc_type `{t}`; use bulletin, notice, work_points, plan, magazine or other"),
                    )
                })
            })
            .transpose()?;
        let year = given(&self.year)
            .map(|y| {
                y.parse::<u32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| {
                        ApiError::bad(
                            "bad_year",
                            format!("`year` must be a year like 2023, got `{y}`"),
                        )
                    })
            })
            .transpose()?;
        let per_article = number(&self.per_article, "per_article", "bad_per_article")?;
        if let Some(n) = per_article.filter(|n| !(1..=MAX_LIMIT).contains(n)) {
            return Err(ApiError::bad(
                "bad_per_article",
                format!("`per_article` must be between 1 and {MAX_LIMIT}, got {n}"),
            ));
        }
        Ok(SearchRequest {
            query: query.to_string(),
            limit,
            offset,
            kind,
            doc_type,
            year,
            region: given(&self.region).map(str::to_string),
            unit: given(&self.unit).map(str::to_string),
            within: given(&self.within).map(str::to_string),
            per_article,
        })
    }
}

/// The parameters, or a 400 naming what is wrong with the query string.
fn params(p: Result<Query<Params>, QueryRejection>) -> ApiResult<Params> {
    p.map(|Query(p)| p)
        .map_err(|e| ApiError::bad("bad_request", e.body_text()))
}

async fn search_kind(
    live: Arc<LiveIndex>,
    p: Result<Query<Params>, QueryRejection>,
    fixed: Option<RecordKind>,
) -> ApiResult<Response> {
    let req = params(p)?.request(fixed)?;
    let results = with_kb(&live, move |kb| Ok(kb.search(&req)?)).await?;
    Ok(Json(results).into_response())
}

/// `GET /api/search`: the object `govkb search --json` prints.
async fn search(
    State(live): Live,
    p: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    search_kind(live, p, None).await
}

/// `GET /api/cases`: searches case studies.
async fn cases(State(live): Live, p: Result<Query<Params>, QueryRejection>) -> ApiResult<Response> {
    search_kind(live, p, Some(RecordKind::Case)).await
}

/// `GET /api/figures`: searches figures (quantities).
async fn figures(
    State(live): Live,
    p: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    search_kind(live, p, Some(RecordKind::Figure)).await
}

/// `GET /api/measures`: searches numbered measures with their units.
async fn measures(
    State(live): Live,
    p: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    search_kind(live, p, Some(RecordKind::Measure)).await
}

/// `GET /api/units`: searches unit mentions (lead, responsible, credit …).
async fn units(State(live): Live, p: Result<Query<Params>, QueryRejection>) -> ApiResult<Response> {
    search_kind(live, p, Some(RecordKind::Unit)).await
}

/// `GET /api/facets`: counts by document type, year, region and unit.
async fn facets(
    State(live): Live,
    p: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    let req = params(p)?.request(None)?;
    let facets = with_kb(&live, move |kb| Ok(kb.facets(&req)?)).await?;
    Ok(Json(facets).into_response())
}

/// `GET /api/documents`: the object `govkb docs --json` prints.
async fn documents(State(live): Live) -> ApiResult<Response> {
    let docs = with_kb(&live, |kb| Ok(kb.list(RecordKind::Document, None, None)?)).await?;
    let list: Vec<Value> = docs.iter().map(document_json).collect();
    Ok(Json(json!({ "documents": list })).into_response())
}

/// The extracted records of a document or article, by kind.
fn extracted(kb: &KnowledgeBase, doc: Option<&str>, article: Option<&str>) -> ApiResult<Value> {
    let mut out = serde_json::Map::new();
    for (name, kind) in [
        ("cases", RecordKind::Case),
        ("figures", RecordKind::Figure),
        ("measures", RecordKind::Measure),
        ("units", RecordKind::Unit),
    ] {
        out.insert(
            name.into(),
            serde_json::to_value(kb.list(kind, doc, article)?).map_err(Error::from)?,
        );
    }
    Ok(Value::Object(out))
}

/// A record of a kind by id, or 404.
fn record_of(kb: &KnowledgeBase, id: &str, kind: RecordKind) -> ApiResult<Record> {
    kb.get(id)?
        .filter(|r| r.kind == kind)
        .ok_or_else(|| ApiError::not_found(format!("no {} with id `{id}`", kind.as_str())))
}

/// `GET /api/documents/{id}`: the `docs --json` object of one document, its
/// articles with their section trees, and its extracted records.
async fn document(State(live): Live, Path(id): Path<String>) -> ApiResult<Response> {
    let v = with_kb(&live, move |kb| {
        let d = record_of(kb, &id, RecordKind::Document)?;
        let mut v = document_json(&d);
        let articles = kb.list(RecordKind::Article, Some(&d.doc_id), None)?;
        v["articles"] = serde_json::to_value(articles).map_err(Error::from)?;
        if let (Value::Object(v), Value::Object(x)) =
            (&mut v, extracted(kb, Some(&d.doc_id), None)?)
        {
            v.extend(x);
        }
        Ok(v)
    })
    .await?;
    Ok(Json(v).into_response())
}

/// `GET /api/articles/{id}`: an article record with its passages and extracted records.
async fn article(State(live): Live, Path(id): Path<String>) -> ApiResult<Response> {
    let v = with_kb(&live, move |kb| {
        let a = record_of(kb, &id, RecordKind::Article)?;
        let passages = kb.list(RecordKind::Passage, None, Some(&a.id))?;
        let x = extracted(kb, None, Some(&a.id))?;
        let mut v = serde_json::to_value(&a).map_err(Error::from)?;
        v["passages"] = serde_json::to_value(passages).map_err(Error::from)?;
        if let (Value::Object(v), Value::Object(x)) = (&mut v, x) {
            v.extend(x);
        }
        Ok(v)
    })
    .await?;
    Ok(Json(v).into_response())
}

/// `GET /health`: what is served and since when.
async fn health(State(live): Live) -> ApiResult<Response> {
    let l = live.clone();
    let v = with_kb(&live, move |kb| {
        let mut records = serde_json::Map::new();
        for kind in RecordKind::ALL {
            records.insert(kind.as_str().into(), kb.count(kind)?.into());
        }
        let generation = kb
            .generation()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        Ok(json!({
            "status": "ok",
            "index": l.dir().display().to_string(),
            "generation": generation,
            "built_at": kb.manifest().built_at,
            "documents": records["document"],
            "passages": records["passage"],
            "records": records,
            "uptime_s": l.uptime_s(),
            "reload_error": l.reload_error(),
            "govkb_version": env!("CARGO_PKG_VERSION"),
        }))
    })
    .await?;
    Ok(Json(v).into_response())
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route; see the API section of the README")
}

/// An embedded asset with its type.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /`: the search page.
async fn page() -> Response {
    let mut res = asset("text/html; charset=utf-8", PAGE_HTML);
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    res
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", PAGE_JS)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", PAGE_CSS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        let mut p = Params::default();
        for &(k, v) in pairs {
            let v = Some(v.to_string());
            match k {
                "q" => p.q = v,
                "limit" => p.limit = v,
                "offset" => p.offset = v,
                "kind" => p.kind = v,
                "doc_type" => p.doc_type = v,
                "year" => p.year = v,
                "region" => p.region = v,
                "within" => p.within = v,
                "per_article" => p.per_article = v,
                "unit" => p.unit = v,
                _ => unreachable!(),
            }
        }
        p
    }

    fn error(pairs: &[(&str, &str)]) -> &'static str {
        p(pairs).request(None).expect_err("should be refused").error
    }

    #[test]
    fn parameters_become_a_request() {
        let r = p(&[
            ("q", " 积分制 "),
            ("limit", "5"),
            ("offset", "10"),
            ("kind", "article"),
            ("doc_type", "简报"),
            ("year", "2023"),
            ("region", "琼中"),
            ("unit", ""),
            ("within", "003_cfe1f94d390e57b3#a3"),
            ("per_article", "2"),
        ])
        .request(None)
        .expect("valid");
        assert_eq!(r.query, "积分制");
        assert_eq!((r.limit, r.offset, r.kind), (5, 10, RecordKind::Article));
        assert_eq!((r.doc_type, r.year), (Some(DocType::Bulletin), Some(2023)));
        assert_eq!((r.region.as_deref(), r.unit), (Some("琼中"), None));
        assert_eq!(
            (r.within.as_deref(), r.per_article),
            (Some("003_cfe1f94d390e57b3#a3"), Some(2))
        );
        let fixed = p(&[("q", "x")])
            .request(Some(RecordKind::Figure))
            .expect("valid");
        assert_eq!(fixed.kind, RecordKind::Figure);
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(error(&[]), "missing_query");
        assert_eq!(error(&[("q", "  ")]), "missing_query");
        assert_eq!(
            error(&[("q", &"字".repeat(MAX_QUERY_CHARS + 1))]),
            "query_too_long"
        );
        assert_eq!(error(&[("q", "x"), ("limit", "0")]), "bad_limit");
        assert_eq!(error(&[("q", "x"), ("limit", "101")]), "bad_limit");
        assert_eq!(error(&[("q", "x"), ("limit", "ten")]), "bad_limit");
        assert_eq!(
            error(&[("q", "x"), ("per_article", "0")]),
            "bad_per_article"
        );
        assert_eq!(
            error(&[("q", "x"), ("per_article", "101")]),
            "bad_per_article"
        );
        assert_eq!(
            error(&[("q", "x"), ("per_article", "-1")]),
            "bad_per_article"
        );
        assert_eq!(error(&[("q", "x"), ("offset", "-1")]), "bad_offset");
        assert_eq!(error(&[("q", "x"), ("offset", "10001")]), "bad_offset");
        assert_eq!(error(&[("q", "x"), ("kind", "paragraph")]), "unknown_kind");
        assert_eq!(
            error(&[("q", "x"), ("doc_type", "memo")]),
            "unknown_doc_type"
        );
        assert_eq!(error(&[("q", "x"), ("year", "20x3")]), "bad_year");
        let clash = p(&[("q", "x"), ("kind", "case")]).request(Some(RecordKind::Figure));
        assert_eq!(clash.expect_err("clash").error, "unknown_kind");
    }

    #[tokio::test]
    async fn a_slow_request_times_out_with_a_json_error() {
        let app = with_layers(
            Router::new().route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            ),
            Duration::from_millis(50),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let answer = tokio::task::spawn_blocking(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(addr).expect("connect");
            stream
                .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .expect("write");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("read");
            answer
        })
        .await
        .expect("client");
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("application/json"), "{answer}");
        assert!(answer.contains(r#""error":"timeout""#), "{answer}");
    }
}
