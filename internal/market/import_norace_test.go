//go:build !race

package market_test

// raceEnabled is true under the race detector.
const raceEnabled = false
