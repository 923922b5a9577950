package emulator

import (
	"fmt"
	"net/http"
)

// Error codes seen from DocuSign itself (reference §6, §7), answered in
// DocuSign's errorDetails body {"errorCode": ..., "message": ...}.
const (
	CodeUserAuthenticationFailed = "USER_AUTHENTICATION_FAILED"
	CodeUserLacksPermissions     = "USER_LACKS_PERMISSIONS"
	CodeAccountLacksPermissions  = "ACCOUNT_LACKS_PERMISSIONS"
	CodeInvalidRequestParameter  = "INVALID_REQUEST_PARAMETER"
	CodeHourlyLimitExceeded      = "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"
	CodeBurstLimitExceeded       = "BURST_APIINVOCATION_LIMIT_EXCEEDED"
)

// Error codes the emulator picked where the reference documents none of
// DocuSign's (doc.go lists them with their HTTP status). Some are spelled
// like codes DocuSign is reported to use elsewhere, but none is confirmed for
// these cases. They are stable: tests may match on them, but a client must
// not expect DocuSign to send them.
const (
	CodeUserNotInAccount          = "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT"
	CodeInvalidRequestBody        = "INVALID_REQUEST_BODY"
	CodeUnspecifiedError          = "UNSPECIFIED_ERROR"
	CodeConfigurationNotFound     = "CONNECT_CONFIGURATION_NOT_FOUND"
	CodeFailureNotFound           = "CONNECT_FAILURE_NOT_FOUND"
	CodeLogNotFound               = "CONNECT_LOG_NOT_FOUND"
	CodeHMACKeyNotFound           = "CONNECT_HMAC_KEY_NOT_FOUND"
	CodeConnectIDRequired         = "CONNECT_ID_REQUIRED"
	CodeNameRequired              = "CONNECT_NAME_REQUIRED"
	CodeConfigurationTypeRequired = "CONNECT_CONFIGURATION_TYPE_REQUIRED"
	CodeInvalidConfigurationType  = "INVALID_CONNECT_CONFIGURATION_TYPE"
	CodeURLRequired               = "CONNECT_URL_REQUIRED"
	CodeInvalidURL                = "INVALID_CONNECT_URL"
	CodeUsersRequired             = "CONNECT_USERS_REQUIRED"
	CodeInvalidDeliveryMode       = "INVALID_CONNECT_DELIVERY_MODE"
	CodeInvalidEvent              = "INVALID_CONNECT_EVENT"
	CodeInvalidEventData          = "INVALID_CONNECT_EVENT_DATA"
	CodeResourceNotFound          = "RESOURCE_NOT_FOUND"
	CodeMethodNotAllowed          = "METHOD_NOT_ALLOWED"
	CodeNotImplemented            = "NOT_IMPLEMENTED_BY_EMULATOR"
)

const (
	messageUserLacksPermissions = "This user lacks sufficient permissions to access this resource."
	messageHourlyLimitExceeded  = "The maximum number of hourly API invocations has been exceeded."
	messageBurstLimitExceeded   = "The maximum number of API invocations in a burst window has been exceeded."
	messageInvalidToken         = "One or both of Username and Password are invalid. Invalid access token."
	messageInjectedError        = "An error occurred (injected by the connectsync emulator)."
)

// apiError is an error answer of the REST API: a status and DocuSign's errorDetails body.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"errorCode"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// badRequest is DocuSign's usual error answer: the spec documents only 400 for every Connect operation.
func badRequest(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// oauthError is an error answer of the OAuth endpoints, in DocuSign's OAuth
// shape {"error": ..., "error_description": ...}.
type oauthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *oauthError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

func invalidGrant(description string) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: "invalid_grant", Description: description}
}
