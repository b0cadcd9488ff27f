//! The document model: kinds, visibility, recipe fields and the saveable [`Content`] of a
//! revision, with its JSON shape and validation.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::license::License;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Most tags on one document.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// Largest Markdown body, in bytes (4 MiB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Largest prose field of a recipe (summary, context…), in bytes.
pub const MAX_FIELD_BYTES: usize = 256 * 1024;
/// Most items in a list field of a recipe (ingredients, utensils, steps).
pub const MAX_LIST_ITEMS: usize = 500;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// A free recipe, with structured [`RecipeFields`].
    Recipe,
    /// A free page: a title, a Markdown body and tags.
    #[default]
    Page,
}

impl DocumentKind {
    /// The identifier used in JSON and front matter (`recipe`, `page`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Recipe => "recipe",
            DocumentKind::Page => "page",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocumentKind {
    type Err = ContentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "recipe" | "recette" => Ok(DocumentKind::Recipe),
            "page" => Ok(DocumentKind::Page),
            _ => Err(ContentError::UnknownKind(s.to_string())),
        }
    }
}

/// Who may see a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone, including anonymous visitors and search.
    #[default]
    Public,
    /// Members of the owning organisation only.
    Members,
    /// The author only.
    Draft,
}

impl Visibility {
    /// The identifier used in JSON and front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
            Visibility::Draft => "draft",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = ContentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "public" => Ok(Visibility::Public),
            "members" | "membres" => Ok(Visibility::Members),
            "draft" | "brouillon" => Ok(Visibility::Draft),
            _ => Err(ContentError::UnknownVisibility(s.to_string())),
        }
    }
}

/// What an ingredient of a recipe is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IngredientKind {
    /// People (volunteers, facilitators…).
    People,
    /// A skill or know-how.
    Skill,
    /// A material thing (a room, tables, spare parts…).
    Material,
    /// Money (a budget, a subsidy…).
    Money,
    /// Anything else.
    #[default]
    Other,
}

impl IngredientKind {
    /// The identifier used in JSON and front matter.
    pub fn as_str(self) -> &'static str {
        match self {
            IngredientKind::People => "people",
            IngredientKind::Skill => "skill",
            IngredientKind::Material => "material",
            IngredientKind::Money => "money",
            IngredientKind::Other => "other",
        }
    }
}

impl FromStr for IngredientKind {
    type Err = ContentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "people" | "personnes" | "humain" => Ok(IngredientKind::People),
            "skill" | "skills" | "competence" | "compétence" => Ok(IngredientKind::Skill),
            "material" | "materiel" | "matériel" => Ok(IngredientKind::Material),
            "money" | "argent" => Ok(IngredientKind::Money),
            "other" | "autre" | "" => Ok(IngredientKind::Other),
            _ => Err(ContentError::UnknownIngredientKind(s.to_string())),
        }
    }
}

/// One ingredient of a recipe. In JSON it may also be given as a plain string, which
/// becomes an ingredient of kind `other` with that name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Ingredient {
    /// What the ingredient is.
    pub kind: IngredientKind,
    /// Its name ("bénévoles réparateurs").
    pub name: String,
    /// How much of it ("3 à 5", "200 €"); empty if unspecified.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub quantity: String,
}

impl Ingredient {
    /// A one-line rendering: `name (quantity)`, used in diffs and conflicts.
    pub fn display_line(&self) -> String {
        if self.quantity.is_empty() {
            format!("[{}] {}", self.kind.as_str(), self.name)
        } else {
            format!("[{}] {} ({})", self.kind.as_str(), self.name, self.quantity)
        }
    }
}

impl<'de> Deserialize<'de> for Ingredient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Plain(String),
            Full {
                #[serde(default)]
                kind: Option<String>,
                name: String,
                #[serde(default)]
                quantity: Option<serde_json::Value>,
            },
        }
        match Raw::deserialize(d)? {
            Raw::Plain(name) => Ok(Ingredient {
                kind: IngredientKind::Other,
                name,
                quantity: String::new(),
            }),
            Raw::Full {
                kind,
                name,
                quantity,
            } => {
                let kind = match kind {
                    Some(k) => k.parse().map_err(serde::de::Error::custom)?,
                    None => IngredientKind::Other,
                };
                let quantity = match quantity {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s,
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(other) => {
                        return Err(serde::de::Error::custom(format!(
                            "quantity must be a string or a number, not {other}"
                        )));
                    }
                };
                Ok(Ingredient {
                    kind,
                    name,
                    quantity,
                })
            }
        }
    }
}

/// The structured fields of a free recipe. All are optional (empty by default).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RecipeFields {
    /// A short summary (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// Context: why, for whom (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context: String,
    /// Ingredients: people, skills, materials, money, with quantities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ingredients: Vec<Ingredient>,
    /// Utensils: the tools used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub utensils: Vec<String>,
    /// Steps, in order (each Markdown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// What the recipe produces (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub produces: String,
    /// Known difficulties (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub difficulties: String,
    /// Tips (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tips: String,
    /// Local variants: how other places adapted it (Markdown).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub local_variants: String,
}

impl RecipeFields {
    /// Whether every field is empty.
    pub fn is_empty(&self) -> bool {
        *self == RecipeFields::default()
    }

    /// The prose fields as `(name, value)` pairs, in display order.
    pub fn prose(&self) -> [(&'static str, &str); 6] {
        [
            ("summary", &self.summary),
            ("context", &self.context),
            ("produces", &self.produces),
            ("difficulties", &self.difficulties),
            ("tips", &self.tips),
            ("local_variants", &self.local_variants),
        ]
    }
}

/// The saveable content of one revision of a document, in the API's JSON shape:
/// `{"kind", "title", "body", "license", "visibility", "tags", "fields"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Content {
    /// Recipe or page.
    #[serde(default)]
    pub kind: DocumentKind,
    /// The title (one line).
    pub title: String,
    /// The Markdown body.
    #[serde(default)]
    pub body: String,
    /// The licence.
    pub license: License,
    /// Who may see it.
    #[serde(default)]
    pub visibility: Visibility,
    /// Tags, normalised (trimmed, lower case), without duplicates.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Structured fields (recipes; empty for pages).
    #[serde(default, skip_serializing_if = "RecipeFields::is_empty")]
    pub fields: RecipeFields,
}

/// One problem with submitted content, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// The JSON could not be read at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What went wrong.
        message: String,
    },
    /// A required field is absent.
    #[error("{0}: this field is required")]
    Missing(&'static str),
    /// A field has the wrong JSON type.
    #[error("{field}: {message}")]
    WrongType {
        /// The field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// A field this shape does not have (a typo?).
    #[error("{0}: unknown field")]
    UnknownField(String),
    /// Unknown `kind`.
    #[error("kind: unknown document kind {0:?} (expected recipe or page)")]
    UnknownKind(String),
    /// Unknown `visibility`.
    #[error("visibility: unknown visibility {0:?} (expected public, members or draft)")]
    UnknownVisibility(String),
    /// Unknown `license`.
    #[error(
        "license: unknown licence {0:?} (expected CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0 or LAL-1.3)"
    )]
    UnknownLicense(String),
    /// Unknown ingredient kind.
    #[error(
        "fields.ingredients: unknown ingredient kind {0:?} (expected people, skill, material, money or other)"
    )]
    UnknownIngredientKind(String),
    /// Empty title.
    #[error("title: must not be empty")]
    EmptyTitle,
    /// Title too long.
    #[error("title: at most {max} characters (got {len})")]
    TitleTooLong {
        /// Characters given.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Title on several lines.
    #[error("title: must be a single line")]
    TitleMultiline,
    /// Body too large.
    #[error("body: at most {max} bytes (got {len})")]
    BodyTooLarge {
        /// Bytes given.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Too many tags.
    #[error("tags: at most {max} tags (got {count})")]
    TooManyTags {
        /// Tags given.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// An empty tag.
    #[error("tags: a tag must not be empty")]
    EmptyTag,
    /// A tag too long.
    #[error("tags: {tag:?} is longer than {max} characters")]
    TagTooLong {
        /// The tag.
        tag: String,
        /// Limit.
        max: usize,
    },
    /// A tag with forbidden characters.
    #[error("tags: {tag:?} may only hold letters, digits, spaces, '-' and '_'")]
    TagCharset {
        /// The tag.
        tag: String,
    },
    /// A prose field too large.
    #[error("fields.{field}: at most {max} bytes (got {len})")]
    FieldTooLarge {
        /// The field.
        field: &'static str,
        /// Bytes given.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// A list field with too many items.
    #[error("fields.{field}: at most {max} items (got {count})")]
    TooManyItems {
        /// The field.
        field: &'static str,
        /// Items given.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// An empty item in a list field.
    #[error("fields.{field}[{index}]: must not be empty")]
    EmptyItem {
        /// The field.
        field: &'static str,
        /// 0-based index of the item.
        index: usize,
    },
}

impl ContentError {
    /// The name of the field at fault (`title`, `tags`, `fields.steps`…), for forms.
    pub fn field(&self) -> String {
        match self {
            ContentError::Json { .. } => String::new(),
            ContentError::Missing(f) => (*f).to_string(),
            ContentError::WrongType { field, .. } | ContentError::UnknownField(field) => {
                field.clone()
            }
            ContentError::UnknownKind(_) => "kind".into(),
            ContentError::UnknownVisibility(_) => "visibility".into(),
            ContentError::UnknownLicense(_) => "license".into(),
            ContentError::UnknownIngredientKind(_) => "fields.ingredients".into(),
            ContentError::EmptyTitle
            | ContentError::TitleTooLong { .. }
            | ContentError::TitleMultiline => "title".into(),
            ContentError::BodyTooLarge { .. } => "body".into(),
            ContentError::TooManyTags { .. }
            | ContentError::EmptyTag
            | ContentError::TagTooLong { .. }
            | ContentError::TagCharset { .. } => "tags".into(),
            ContentError::FieldTooLarge { field, .. }
            | ContentError::TooManyItems { field, .. }
            | ContentError::EmptyItem { field, .. } => format!("fields.{field}"),
        }
    }
}

/// Every problem found in submitted content (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<ContentError>);

/// Normalises a tag: trims, lower-cases and collapses inner whitespace.
pub fn normalize_tag(tag: &str) -> String {
    tag.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn check_tag(tag: &str) -> Option<ContentError> {
    if tag.is_empty() {
        return Some(ContentError::EmptyTag);
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Some(ContentError::TagTooLong {
            tag: tag.to_string(),
            max: MAX_TAG_CHARS,
        });
    }
    if !tag
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == ' ')
    {
        return Some(ContentError::TagCharset {
            tag: tag.to_string(),
        });
    }
    None
}

fn parse_fields(
    map: &serde_json::Map<String, serde_json::Value>,
    errors: &mut Vec<ContentError>,
) -> RecipeFields {
    use serde_json::Value;
    let mut f = RecipeFields::default();
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        let field = format!("fields.{key}");
        let text = |errors: &mut Vec<ContentError>| -> String {
            match value {
                Value::String(s) => s.clone(),
                _ => {
                    errors.push(ContentError::WrongType {
                        field: field.clone(),
                        message: "must be a string".into(),
                    });
                    String::new()
                }
            }
        };
        let strings = |errors: &mut Vec<ContentError>| -> Vec<String> {
            match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| match item {
                        Value::String(s) => Some(s.clone()),
                        _ => {
                            errors.push(ContentError::WrongType {
                                field: format!("{field}[{i}]"),
                                message: "must be a string".into(),
                            });
                            None
                        }
                    })
                    .collect(),
                _ => {
                    errors.push(ContentError::WrongType {
                        field: field.clone(),
                        message: "must be a list of strings".into(),
                    });
                    Vec::new()
                }
            }
        };
        match key.as_str() {
            "summary" => f.summary = text(errors),
            "context" => f.context = text(errors),
            "produces" => f.produces = text(errors),
            "difficulties" => f.difficulties = text(errors),
            "tips" => f.tips = text(errors),
            "local_variants" => f.local_variants = text(errors),
            "utensils" => f.utensils = strings(errors),
            "steps" => f.steps = strings(errors),
            "ingredients" => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match serde_json::from_value::<Ingredient>(item.clone()) {
                            Ok(ing) => f.ingredients.push(ing),
                            Err(e) => {
                                let msg = e.to_string();
                                if msg.contains("unknown ingredient kind") {
                                    let k = msg.split('"').nth(1).unwrap_or_default().to_string();
                                    errors.push(ContentError::UnknownIngredientKind(k));
                                } else {
                                    errors.push(ContentError::WrongType {
                                        field: format!("{field}[{i}]"),
                                        message:
                                            "must be a string or {\"kind\", \"name\", \"quantity\"}"
                                                .into(),
                                    });
                                }
                            }
                        }
                    }
                }
                _ => errors.push(ContentError::WrongType {
                    field,
                    message: "must be a list".into(),
                }),
            },
            _ => errors.push(ContentError::UnknownField(field)),
        }
    }
    f
}

impl Content {
    /// A new page with the given title and body, CC BY-SA, public, no tags.
    pub fn page(title: impl Into<String>, body: impl Into<String>) -> Content {
        Content {
            kind: DocumentKind::Page,
            title: title.into(),
            body: body.into(),
            license: License::CcBySa,
            visibility: Visibility::Public,
            tags: Vec::new(),
            fields: RecipeFields::default(),
        }
    }

    /// A new recipe with the given title and fields, CC BY-SA, public, no tags.
    pub fn recipe(title: impl Into<String>, fields: RecipeFields) -> Content {
        Content {
            kind: DocumentKind::Recipe,
            fields,
            ..Content::page(title, "")
        }
    }

    /// Parses and validates the API's JSON shape. `default_license` is used when the
    /// JSON has no `license` (the organisation's default). Unknown top-level keys (such
    /// as `base_revision`) are ignored; unknown keys inside `fields` are errors. Every
    /// problem is reported, each naming its field.
    pub fn from_json(
        json: &str,
        default_license: Option<License>,
    ) -> Result<Content, ValidationErrors> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            ValidationErrors(vec![ContentError::Json {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }])
        })?;
        Content::from_json_value(&value, default_license)
    }

    /// Like [`Content::from_json`], from an already parsed JSON value.
    pub fn from_json_value(
        value: &serde_json::Value,
        default_license: Option<License>,
    ) -> Result<Content, ValidationErrors> {
        let mut errors = Vec::new();
        let Some(obj) = value.as_object() else {
            return Err(ValidationErrors(vec![ContentError::WrongType {
                field: String::new(),
                message: "a document must be a JSON object".into(),
            }]));
        };
        let get_str = |name: &'static str, errors: &mut Vec<ContentError>| -> Option<String> {
            match obj.get(name) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.push(ContentError::WrongType {
                        field: name.into(),
                        message: "must be a string".into(),
                    });
                    None
                }
            }
        };
        let kind = match get_str("kind", &mut errors) {
            Some(k) => k.parse().map_err(|e| errors.push(e)).unwrap_or_default(),
            None => DocumentKind::Page,
        };
        let title = get_str("title", &mut errors);
        if title.is_none() && !errors.iter().any(|e| e.field() == "title") {
            errors.push(ContentError::Missing("title"));
        }
        let body = get_str("body", &mut errors).unwrap_or_default();
        let license = match get_str("license", &mut errors) {
            Some(l) => match License::parse(&l) {
                Ok(l) => Some(l),
                Err(_) => {
                    errors.push(ContentError::UnknownLicense(l));
                    None
                }
            },
            None => {
                if default_license.is_none() && !errors.iter().any(|e| e.field() == "license") {
                    errors.push(ContentError::Missing("license"));
                }
                default_license
            }
        };
        let visibility = match get_str("visibility", &mut errors) {
            Some(v) => v.parse().map_err(|e| errors.push(e)).unwrap_or_default(),
            None => Visibility::Public,
        };
        let tags = match obj.get("tags") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(serde_json::Value::Array(items)) => {
                let mut tags = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) => tags.push(s.to_string()),
                        None => errors.push(ContentError::WrongType {
                            field: "tags".into(),
                            message: "every tag must be a string".into(),
                        }),
                    }
                }
                tags
            }
            Some(_) => {
                errors.push(ContentError::WrongType {
                    field: "tags".into(),
                    message: "must be a list of strings".into(),
                });
                Vec::new()
            }
        };
        let fields = match obj.get("fields") {
            None | Some(serde_json::Value::Null) => RecipeFields::default(),
            Some(serde_json::Value::Object(map)) => parse_fields(map, &mut errors),
            Some(_) => {
                errors.push(ContentError::WrongType {
                    field: "fields".into(),
                    message: "must be an object".into(),
                });
                RecipeFields::default()
            }
        };
        let content = Content {
            kind,
            title: title.unwrap_or_default().trim().to_string(),
            body,
            license: license.unwrap_or(License::CcBySa),
            visibility,
            tags,
            fields,
        }
        .normalized();
        let reported: std::collections::HashSet<String> =
            errors.iter().map(ContentError::field).collect();
        if let Err(ValidationErrors(more)) = content.validate() {
            errors.extend(more.into_iter().filter(|e| !reported.contains(&e.field())));
        }
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// This content with tags normalised ([`normalize_tag`]) and de-duplicated, and the
    /// title trimmed.
    pub fn normalized(mut self) -> Content {
        self.title = self.title.trim().to_string();
        let mut seen = std::collections::HashSet::new();
        self.tags = self
            .tags
            .iter()
            .map(|t| normalize_tag(t))
            .filter(|t| seen.insert(t.clone()))
            .collect();
        self
    }

    /// Checks every limit; returns all problems found.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(ContentError::EmptyTitle);
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(ContentError::TitleTooLong {
                len: title.chars().count(),
                max: MAX_TITLE_CHARS,
            });
        }
        if title.contains(['\n', '\r']) {
            errors.push(ContentError::TitleMultiline);
        }
        if self.body.len() > MAX_BODY_BYTES {
            errors.push(ContentError::BodyTooLarge {
                len: self.body.len(),
                max: MAX_BODY_BYTES,
            });
        }
        if self.tags.len() > MAX_TAGS {
            errors.push(ContentError::TooManyTags {
                count: self.tags.len(),
                max: MAX_TAGS,
            });
        }
        for tag in &self.tags {
            if let Some(e) = check_tag(&normalize_tag(tag)) {
                errors.push(e);
            }
        }
        for (name, value) in self.fields.prose() {
            if value.len() > MAX_FIELD_BYTES {
                errors.push(ContentError::FieldTooLarge {
                    field: name,
                    len: value.len(),
                    max: MAX_FIELD_BYTES,
                });
            }
        }
        let lists: [(&'static str, Vec<&str>); 3] = [
            (
                "ingredients",
                self.fields
                    .ingredients
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect(),
            ),
            (
                "utensils",
                self.fields.utensils.iter().map(String::as_str).collect(),
            ),
            (
                "steps",
                self.fields.steps.iter().map(String::as_str).collect(),
            ),
        ];
        for (name, items) in lists {
            if items.len() > MAX_LIST_ITEMS {
                errors.push(ContentError::TooManyItems {
                    field: name,
                    count: items.len(),
                    max: MAX_LIST_ITEMS,
                });
            }
            for (index, item) in items.iter().enumerate() {
                if item.trim().is_empty() {
                    errors.push(ContentError::EmptyItem { field: name, index });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// The content as the API's JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
