//go:build race

package market_test

// raceEnabled is true under the race detector, which makes the 10,000-row
// import test ten times slower.
const raceEnabled = true
