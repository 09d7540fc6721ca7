package market

// RecordChange lets the external tests record a listing change inside a
// transaction they hold open (search_order_test.go).
var RecordChange = recordChange
