package crawler

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

// The articles of the drift tests: written for these tests, paragraph by
// paragraph. articleEN has the typo "recieved", articleZH the typo
// "化了几个周末", which the light edits fix.
var (
	articleEN = []string{
		"When the county library in Millbrook opened its basement archive to volunteers last spring, nobody expected the map drawers to hold more than a few dozen survey sheets. Instead the team found close to four hundred maps, some hand coloured, some folded so many times that the creases had worn through the paper. The oldest sheet shows the river crossing before the stone bridge was built, with the ferry landing marked by a tiny drawing of a rowing boat.",
		"The first decision was what not to do. Several volunteers wanted to flatten every map at once and scan them on a borrowed office scanner. The conservator who advised the project, a retired museum technician named Hilda Ward, talked them out of it. Paper that has been folded for a century remembers its folds, she explained, and forcing it flat in a dry room can split the fibres along every crease. The maps were instead humidified slowly in a plastic tent, a few at a time, and then pressed between blotting sheets for a week.",
		"Scanning came next. The library recieved a small grant from the regional heritage fund, enough to rent a large format camera stand for three months. Each map was photographed in overlapping sections under two lamps set at equal angles, and the sections were stitched together on a laptop overnight. A colour target was placed beside every sheet so that later readers could judge how faded the original inks really were.",
		"Cataloguing proved slower than photographing. Many maps had no title, no date and no surveyor's name. The volunteers learned to date them from clues: the spelling of street names, the appearance of the railway line in eighteen seventy two, the mill pond that was drained after the flood. One sheet that everyone assumed was a school exercise turned out to be a careful plan of the old cattle market, drawn by the town clerk to settle a dispute about stall rents.",
		"The finished collection now lives on the library website, where each map can be zoomed until the pen strokes are visible. Visitors can compare any two sheets side by side with a sliding divider, which has become the most popular feature. Local historians use it to trace how field boundaries turned into streets, and a primary school class used it to find the route of a stream that now runs in a pipe beneath the playground.",
		"Not everything went smoothly. A power cut during the second month corrupted a week of stitched images, and the team had to reshoot forty sheets from scratch. The website also struggled on the day a regional newspaper wrote about the project, when thousands of readers arrived within an hour. The library has since moved the image tiles to a cheaper storage service that copes better with sudden crowds.",
		"The volunteers are now turning to a box of aerial photographs taken by a flying club in the nineteen fifties. Those prints are glossy, curled and in some cases stuck together, so the humidity tent will be busy again. Anyone who recognises a farm, a house or a face in the published photographs is invited to leave a note on the page, and several families have already identified relatives standing in their own gardens.",
	}
	replaceEN = []string{
		"Keeping bees on a flat roof in the middle of a city sounds like a strange hobby until you notice how many flowers grow within a short flight of any tall building. Parks, railway embankments, balcony pots and the lime trees along the avenues together offer a long season of nectar, often longer than the farmland outside town, where a single crop blooms for two weeks and then nothing.",
		"The practical problems start with the wind. A hive that would sit calmly in a sheltered garden can be knocked over by a gust on the seventh floor, so rooftop keepers strap their boxes to heavy pallets and face the entrances away from the prevailing weather. Water is the second problem. Bees drink a surprising amount on hot days, and if no shallow dish is provided they will visit the swimming pools and air conditioning drains of the neighbours instead.",
		"Building managers usually worry about stings. In practice a calm colony on a roof rarely bothers anyone, because the foragers leave the hive and climb steeply before heading out, well above the heads of people on the street. The real risk is to the keeper, who must carry frames and tools up narrow stairs and across gravel, often alone. Most rooftop groups insist that two people are present for every inspection.",
		"Honey from city hives tends to be darker and more varied than honey from the countryside, reflecting the mixture of trees and garden plants. Some keepers send samples to a laboratory to test for lead and other pollution, and the results have been reassuring: the bees filter most contaminants, and the levels found are usually far below food safety limits. The flavour changes from month to month, which customers at weekend markets seem to enjoy.",
		"Swarming is the event every urban keeper dreads. A colony that runs out of space raises a new queen, and the old queen leaves with half the workers to find another home. In a field that is a curiosity, but a cluster of twenty thousand bees hanging from a shop sign causes alarm and phone calls. Regular inspections in late spring, adding boxes before they are needed, and splitting strong colonies keep most swarms from happening.",
		"Winter is quieter. The colony forms a tight ball around the queen and shivers to stay warm, living on the stores gathered in summer. The job of the keeper is mostly to leave the hive alone, check its weight by lifting one side, and make sure mice cannot get in through the entrance. On a sunny day in February a few bees may fly out for a cleansing flight, a reminder that the colony is alive under the snow.",
		"Anyone thinking of starting should join a local association first, spend a season helping an experienced keeper and read the city rules on livestock, which sometimes include bees. A single hive on a roof will not change the ecology of a neighbourhood, but it changes how its keeper looks at the street trees, the weeds in the cracks and the window boxes of strangers.",
	}
	articleZH = []string{
		"去年秋天，我开始骑自行车上下班。单程大约九公里，要经过两座桥和一段沿河的绿道。最初只是因为地铁太挤，想换一种方式试试，没想到一骑就是一年多，中间只有下大雨和下雪的日子改坐公交。",
		"第一个月最辛苦。腿酸是意料之中的，真正让人头疼的是路线。导航推荐的路线往往最短，却要穿过几个车流很大的路口。后来我化了几个周末，把附近的小路、公园和河边步道都骑了一遍，终于找到一条多绕一公里、但几乎不用和汽车抢道的路线。",
		"装备方面，我没有买很贵的车，只是把一辆旧的城市车重新调整了一下：换了更宽的轮胎，装了挡泥板和后货架，再加上一对前后灯。冬天早上六点多天还没亮，灯是必不可少的。雨衣试了三种，最后发现带帽檐的分体式最好用，既透气又不会挡住视线。",
		"骑车带来的变化比我想象的多。体重慢慢降了五公斤，睡眠也比以前好。更意外的是，我对这座城市的感觉变了。以前坐地铁只知道站名，现在知道哪家早餐店六点半开门，哪棵银杏树最先变黄，哪段路在下午会有很大的逆风。",
		"当然也有不方便的地方。单位楼下没有淋浴间，夏天到了办公室要先在卫生间擦一擦汗，再换上带来的衬衫。停车也是个问题，小区的车棚经常满，有一次车锁被人撬坏，幸好车没有丢。后来我买了一把更结实的U形锁，又在车上装了一个小定位器。",
		"如果你也想试试骑车通勤，我的建议是先从每周一两天开始，不要一上来就天天骑。周末提前把路线骑一遍，记下容易出问题的路口。随身带一个打气筒和一套补胎工具，学会自己换内胎。最重要的是，遇到天气不好或者身体不舒服的时候，不要勉强，公交和地铁永远是可靠的备选。",
		"一年下来，我算了一笔账：交通费省下了将近两千元，修车和换零件花了六百多元，再加上雨衣和车灯，总体还是省钱的。不过比起省下的钱，我更在意的是每天路上那四十分钟，它让我在上班之前先清醒过来，在下班之后把工作留在身后。",
	}
	replaceZH = []string{
		"搬进新家以后，朝南的阳台一直空着。今年春天，我决定在那里种点蔬菜。阳台大约六平方米，每天能晒到五六个小时的太阳，对于叶菜和一些小型的果菜来说已经足够了。",
		"最先要解决的是容器和土。花盆太小，根系长不开；太大又太重，阳台承重有限。我最后选了十几个深度在二十五厘米左右的塑料长槽，配上从园艺店买来的营养土，再按三比一的比例掺进蚯蚓粪。浇水之后土壤松软，不容易板结。",
		"品种方面，我听从了邻居阿姨的建议，先种容易成活的：生菜、小油菜、香菜和小葱。播种后大约一周就出了苗，一个月后第一批生菜已经可以掐下来做沙拉。后来又加了两棵番茄和一盆辣椒，番茄需要搭架子，我用几根竹竿和麻绳绑了一个简单的三角架。",
		"病虫害比想象中来得快。五月中旬，油菜叶子背面出现了密密麻麻的蚜虫。我不想用农药，就试着用稀释的肥皂水喷洒，又在旁边挂了几张黄色粘虫板，两个星期后情况基本控制住了。番茄则遇到过一次裂果，原因是连续几天没浇水，之后突然浇得太多。",
		"浇水的节奏是最需要摸索的。夏天阳台温度很高，早晚各浇一次也不算多；到了阴雨天，一次不浇也没关系。后来我在长槽底部垫了一层陶粒，又装了一个定时滴灌的小装置，出差几天也不用担心菜被晒死。",
		"种了半年，收获谈不上多，一家人吃绿叶菜基本不用买了，番茄也收了三十多个，虽然个头不大，味道却比超市里的浓得多。孩子对这件事最有兴趣，每天放学回来第一件事就是去阳台数番茄，还主动承担了给小葱浇水的任务。",
		"明年我打算试试草莓和豌豆，也想做一个小小的堆肥桶，把厨房里的菜叶和果皮变成肥料。阳台种菜不能让人自给自足，但它让我重新注意到季节的变化，也让每天的生活多了一点期待。",
	}
)

// edit returns a copy of texts with the first from replaced by to; the
// test fails when from does not occur.
func edit(t *testing.T, texts []string, from, to string) []string {
	t.Helper()
	out := slices.Clone(texts)
	for i, p := range out {
		if strings.Contains(p, from) {
			out[i] = strings.Replace(p, from, to, 1)
			return out
		}
	}
	t.Fatalf("edit: %q not in the article", from)
	return nil
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Hello, World! hello-world", []string{"hello", "world", "hello", "world"}},
		{"Go语言的HTTP客户端 v1.2 支持HTTP/2！", []string{"go", "语言", "言的", "http", "客户", "户端", "v1", "2", "支持", "http", "2"}},
		{"我 love 你", []string{"我", "love", "你"}},
		{"链接，检查。", []string{"链接", "检查"}},
		{"リンクチェッカー", []string{"リン", "ンク", "クチ", "チェ", "ェッ", "ッカ", "カー"}},
		{"안녕하세요 Seoul", []string{"안녕", "녕하", "하세", "세요", "seoul"}},
		{"Café ÜBER naïve", []string{"café", "über", "naïve"}},
		{"  \t\n", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// naiveSimhash is the textbook simhash of feature strings, the reference
// for simhash.
func naiveSimhash(features []string) uint64 {
	var v [64]int
	for _, f := range features {
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		for i := range v {
			if x&(1<<i) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	var s uint64
	for i, n := range v {
		if n > 0 {
			s |= 1 << i
		}
	}
	return s
}

func TestSimhash(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields("alpha beta gamma delta epsilon zeta eta theta iota kappa")
	long := make([]string, 1000) // more than 255 features: lanes are flushed
	for i := range long {
		long[i] = words[r.IntN(len(words))]
	}
	shingled := func(toks []string) []string { // the features, spelled out
		var out []string
		for i := 0; i+3 <= len(toks); i++ {
			out = append(out, strings.Join(toks[i:i+3], " "))
		}
		return out
	}
	tests := []struct {
		name     string
		toks     []string
		features []string
	}{
		{"none", nil, nil},
		{"one word", []string{"solo"}, []string{"solo"}},
		{"two words", []string{"two", "words"}, []string{"two words"}},
		{"shingles", []string{"a", "b", "c", "d"}, []string{"a b c", "b c d"}},
		{"CJK bigrams split word runs", tokens("read 链接检查 the docs now"), []string{"read", "链接", "接检", "检查", "the docs now"}},
		{"1000 words", long, shingled(long)},
	}
	for _, tt := range tests {
		got, want := simhash(tt.toks), naiveSimhash(tt.features)
		if got != want {
			t.Errorf("%s: simhash = %016x, want %016x", tt.name, got, want)
		}
		if d := distance(got, simhash(slices.Clone(tt.toks))); d != 0 {
			t.Errorf("%s: identical tokens at distance %d", tt.name, d)
		}
	}
	if simhash(tokens("a b c d")) == simhash(tokens("d c b a")) {
		t.Error("simhash ignores word order")
	}
}

// distance is the Hamming distance of two simhashes, as
// linkvault.Fingerprint measures it.
func distance(a, b uint64) int {
	return linkvault.Fingerprint(a).Distance(linkvault.Fingerprint(b))
}

func TestSimDiffRatio(t *testing.T) {
	long := func(n int, tail string) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprint("w", i)
		}
		return append(s, tail)
	}
	tests := []struct {
		name string
		a, b []string
		want float64
	}{
		{"both empty", nil, nil, 1},
		{"one empty", []string{"a"}, nil, 0},
		{"equal", []string{"a", "b", "c"}, []string{"a", "b", "c"}, 1},
		{"disjoint", []string{"a", "b"}, []string{"c", "d"}, 0},
		{"shifted", []string{"a", "b", "c", "d"}, []string{"b", "c", "d", "e"}, 0.75}, // Python: SequenceMatcher(None, "abcd", "bcde").ratio()
		{"reversed", []string{"a", "b", "c"}, []string{"c", "b", "a"}, 2.0 / 6},       // order counts: one block of one token
		{"one changed of ten", strings.Fields("a b c d e f g h i j"), strings.Fields("a b c d x f g h i j"), 0.9},
		{"difference after the cap", long(maxDiffTokens, "x"), long(maxDiffTokens, "y"), 1},
		{"difference before the cap", long(maxDiffTokens-1, "x"), long(maxDiffTokens-1, "y"), 2 * float64(maxDiffTokens-1) / (2 * maxDiffTokens)},
	}
	for _, tt := range tests {
		if got := diffRatio(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: diffRatio = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSimTextHash(t *testing.T) {
	short := strings.Repeat("word ", minHashTokens-1)
	enough := strings.Repeat("word ", minHashTokens)
	if h := textHash(short); h != 0 {
		t.Errorf("textHash of %d tokens = %x, want 0", minHashTokens-1, h)
	}
	if h := textHash(enough); h == 0 {
		t.Errorf("textHash of %d tokens = 0", minHashTokens)
	}
	if h := textHash(strings.Join(articleZH, "")); h == 0 {
		t.Error("textHash of a Chinese article = 0")
	}
}

// notFoundPage returns the HTML of a site's "not found" page that echoes
// the requested path in its title and text, in a site template.
func notFoundPage(path string) string {
	return tmplPage(councilSite, "Not found: "+path+" | Harbour Town Council",
		"<h1>We could not find "+path+"</h1><p>The page <code>"+path+"</code> does not exist or has moved. "+
			"Check the address, or use the search box to look for council services, meeting minutes and local news.</p>")
}

func TestSimNear(t *testing.T) {
	sig := func(html, path string) pageSig {
		return newSig(analyzePage([]byte(html), "text/html; charset=utf-8", ""), path)
	}
	// Two short articles, a twentieth of the template's text.
	articleA := "<p>The map drawers in the library basement held close to four hundred survey sheets, some hand coloured, some folded so often that the creases wore through.</p>"
	articleB := "<p>Bees on a city roof find flowers in parks, on railway banks and in balcony pots, and the lime trees along the avenues give them nectar for weeks.</p>"
	const sameTitle = "Harbour Town Council"
	tests := []struct {
		name       string
		a, b       pageSig
		want       bool
		wantReason string
	}{
		{
			"not found pages echoing sibling paths",
			sig(notFoundPage("/services/waste/bins-2024"), "/services/waste/bins-2024"),
			sig(notFoundPage("/services/waste/qhzxkwmvbtrplnfgdsjcyaeoui"), "/services/waste/qhzxkwmvbtrplnfgdsjcyaeoui"),
			true, "simhash distance 0",
		},
		{
			// "news" and "services" are also words of the template: removed
			// from one text only, they leave a small difference.
			"not found pages echoing unrelated paths",
			sig(notFoundPage("/services/waste/bins-2024"), "/services/waste/bins-2024"),
			sig(notFoundPage("/news/%E5%85%AC%E5%91%8A/item-77"), "/news/%E5%85%AC%E5%91%8A/item-77"),
			true, "",
		},
		{
			"articles in a large shared template",
			sig(tmplPage(megaSite, sameTitle, articleA), "/news/library-maps"),
			sig(tmplPage(megaSite, sameTitle, articleB), "/news/rooftop-bees"),
			false, "",
		},
		{
			"same text, different titles",
			newSig(page{title: "Opening hours", main: "The office opens at nine."}, "/a"),
			newSig(page{title: "Contact", main: "The office opens at nine."}, "/b"),
			false, "titles differ",
		},
		{
			"one word of many changed: diff ratio",
			newSig(page{title: "T", main: strings.Join(articleEN, " ")}, "/a"),
			newSig(page{title: "T", main: strings.Join(edit(t, articleEN, "two lamps", "three lamps"), " ")}, "/b"),
			true, "diff ratio",
		},
		{
			"no text at all",
			newSig(page{title: "Untitled"}, "/a"),
			newSig(page{title: "Untitled"}, "/b"),
			false, "no text",
		},
	}
	for _, tt := range tests {
		got, reason := tt.a.near(tt.b)
		t.Logf("%s: near = %v (%s)", tt.name, got, reason)
		if got != tt.want {
			t.Errorf("%s: near = %v (%s), want %v", tt.name, got, reason, tt.want)
		}
		if !strings.HasPrefix(reason, tt.wantReason) {
			t.Errorf("%s: reason %q, want %q", tt.name, reason, tt.wantReason)
		}
		if got2, _ := tt.b.near(tt.a); got2 != got {
			t.Errorf("%s: near is not symmetric", tt.name)
		}
	}

	// The template really dominates: compared on the visible text instead
	// of the main text, the two articles would be taken for one page.
	pa := analyzePage([]byte(tmplPage(megaSite, sameTitle, articleA)), "text/html", "")
	pb := analyzePage([]byte(tmplPage(megaSite, sameTitle, articleB)), "text/html", "")
	pa.main, pb.main = pa.text, pb.text
	if near, how := newSig(pa, "/a").near(newSig(pb, "/b")); !near {
		t.Errorf("visible texts of the template pages are not near (%s): the template does not dominate", how)
	}
}

func TestSimNewSig(t *testing.T) {
	p := page{title: "Not found: /Docs/Getting-Started", main: "No page at /docs/getting-started here"}
	s := newSig(p, "/docs/getting-started")
	if s.title != "not found" {
		t.Errorf("title = %q, want %q", s.title, "not found")
	}
	if want := []string{"no", "page", "at", "here"}; !slices.Equal(s.toks, want) {
		t.Errorf("toks = %q, want %q", s.toks, want)
	}
	if s.hash != simhash(s.toks) || s.hash == 0 {
		t.Errorf("hash = %x, want simhash of the tokens %x", s.hash, simhash(s.toks))
	}
	zh := newSig(page{title: "找不到公告 ggg", main: "公告不存在。请访问%E5%85%AC%E5%91%8A/2024"}, "/%E5%85%AC%E5%91%8A/2024")
	if zh.title != "找不 不到 ggg" || !slices.Equal(zh.toks, []string{"不存", "存在", "请访", "访问"}) {
		t.Errorf("escaped Chinese path: title %q toks %q", zh.title, zh.toks)
	}
}

// driftCase is a pair of versions of one page's main content.
type driftCase struct {
	name   string
	before string // the inner HTML of the article
	after  string
	drift  bool // whether the change is content drift
}

func TestDrift(t *testing.T) {
	en, zh := articleEN, articleZH
	cases := []driftCase{
		{"en: words changed", htmlParas(en), htmlParas(edit(t, edit(t, en, "close to four", "nearly four"), "two lamps", "two daylight lamps")), false},
		{"en: sentence rewritten", htmlParas(en), htmlParas(edit(t, en, "The oldest sheet shows the river crossing before the stone bridge was built, with the ferry landing marked by a tiny drawing of a rowing boat.", "The oldest sheet, dated seventeen ninety, shows the ford that served the town long before any bridge existed.")), false},
		{"en: typo fixed", htmlParas(en), htmlParas(edit(t, en, "recieved", "received")), false},
		{"en: paragraph appended", htmlParas(en), htmlParas(append(slices.Clone(en), "Update: the library will hold an open evening in October, when visitors can watch the humidity tent and the camera stand at work and ask the volunteers about their favourite maps.")), false},
		{"en: all light edits", htmlParas(en), htmlParas(append(edit(t, edit(t, en, "recieved", "received"), "close to four", "nearly four"), "A second open evening is planned for the spring.")), false},
		{"zh: words changed", htmlParas(zh), htmlParas(edit(t, edit(t, zh, "九公里", "十公里"), "试了三种", "试了四种")), false},
		{"zh: sentence rewritten", htmlParas(zh), htmlParas(edit(t, zh, "更意外的是，我对这座城市的感觉变了。", "更让我惊喜的是，我开始真正认识这座城市。")), false},
		{"zh: typo fixed", htmlParas(zh), htmlParas(edit(t, zh, "化了几个周末", "花了几个周末")), false},
		{"zh: paragraph appended", htmlParas(zh), htmlParas(append(slices.Clone(zh), "补充：最近公司在地下车库加装了淋浴间和自行车架，骑车上班的同事从三个增加到了十几个。")), false},
		{"en: replaced", htmlParas(en), htmlParas(replaceEN), true},
		{"zh: replaced", htmlParas(zh), htmlParas(replaceZH), true},
		{"en: replaced by the Chinese one", htmlParas(en), htmlParas(replaceZH), true},
	}
	for _, c := range cases {
		pa := analyzePage([]byte(tmplPage(councilSite, "Article", c.before)), "text/html", "")
		pb := analyzePage([]byte(tmplPage(councilSite, "Article", c.after)), "text/html", "")
		if pa.textHash == 0 || pb.textHash == 0 {
			t.Errorf("%s: no text hash (%x, %x)", c.name, pa.textHash, pb.textHash)
			continue
		}
		d := distance(pa.textHash, pb.textHash)
		r := diffRatio(tokens(pa.main), tokens(pb.main))
		t.Logf("%-34s distance %2d, diff ratio %.3f", c.name, d, r)
		if got := d >= linkvault.DefaultDriftDistance; got != c.drift {
			t.Errorf("%s: distance %d, drift = %v, want %v (linkvault.DefaultDriftDistance %d)", c.name, d, got, c.drift, linkvault.DefaultDriftDistance)
		}
	}
}

// TestDriftOneSentence replaces each sentence of the articles in turn by a
// sentence of the unrelated text: one changed sentence is never drift.
func TestDriftOneSentence(t *testing.T) {
	for _, a := range []struct {
		name       string
		art, other []string
		sep        string
	}{
		{"en", articleEN, replaceEN, ". "},
		{"zh", articleZH, replaceZH, "。"},
	} {
		var others []string
		for _, p := range a.other {
			others = append(others, strings.Split(p, a.sep)...)
		}
		base := textHash(strings.Join(a.art, "\n"))
		lo, hi, n := 64, 0, 0
		for i, p := range a.art {
			sentences := strings.Split(p, a.sep)
			for j := range sentences {
				s := slices.Clone(sentences)
				s[j] = others[n%len(others)]
				n++
				art := slices.Clone(a.art)
				art[i] = strings.Join(s, a.sep)
				d := distance(base, textHash(strings.Join(art, "\n")))
				lo, hi = min(lo, d), max(hi, d)
				if d >= linkvault.DefaultDriftDistance {
					t.Errorf("%s: sentence %d of paragraph %d replaced: distance %d, taken for drift", a.name, j, i, d)
				}
			}
		}
		t.Logf("%s: %d sentences replaced one at a time: distance %d to %d", a.name, n, lo, hi)
	}
}
