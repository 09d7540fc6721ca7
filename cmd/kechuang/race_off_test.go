//go:build !race

package main

// raceEnabled tells the fault tests to build the binary with -race too.
const raceEnabled = false
