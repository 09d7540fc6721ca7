package search

import (
	"fmt"
	"testing"
)

func BenchmarkPut(b *testing.B) {
	ix, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	d := Document{
		Title: "苏鲁超高压变质带东海青龙山高压正片麻岩中白云母的40Ar/39Ar年代学研究",
		Text:  "作为东海青龙山榴辉岩围岩的高压变质的正片麻岩,其白云母的常规40Ar/39Ar年龄和Rb-Sr、Sm-Nd年龄一致,激光微区Ar同位素分析表明,白云母的Ar同位素分布也是均匀的.由此得出的初步结论是:高压变质的正片麻岩中的白云母中不含过剩Ar,这类矿物可以作为40Ar/39Ar同位素测年的对象。",
	}
	i := 0
	for b.Loop() {
		d.ID = fmt.Sprint(i)
		i++
		if err := ix.Put(d); err != nil {
			b.Fatal(err)
		}
	}
}
