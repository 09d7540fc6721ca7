// Package apperr defines the kinds of error that domain packages return and
// that web maps to HTTP statuses and localized messages.
//
// An Error carries a Kind, a message key with arguments (looked up in the
// i18n catalogs), optional per-field or per-row details and the wrapped cause.
// The cause is for logs only: it is never shown to users.
//
// apperr imports nothing of the project.
package apperr
