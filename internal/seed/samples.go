package seed

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// SamplePNG draws a small identity-card-like image (a card with a photo
// square, a head and shoulders, text lines and a machine-readable zone) in
// the given accent colour, so demo documents look like what they stand for
// without being anyone's real document.
func SamplePNG(accent color.RGBA) []byte {
	const w, h = 480, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(x0, y0, x1, y1 int, c color.Color) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.Set(x, y, c)
			}
		}
	}
	paper := color.RGBA{246, 243, 235, 255}
	ink := color.RGBA{60, 64, 72, 255}
	fill(0, 0, w, h, paper)
	fill(0, 0, w, 44, accent)                              // header band
	fill(24, 64, 164, 244, color.RGBA{214, 220, 228, 255}) // photo box
	for y := 64; y < 244; y++ {                            // head and shoulders
		for x := 24; x < 164; x++ {
			dx, dy := x-94, y-130
			if dx*dx+dy*dy < 34*34 || (y > 180 && (x-94)*(x-94)+(y-250)*(y-250) < 64*64) {
				img.Set(x, y, color.RGBA{150, 160, 175, 255})
			}
		}
	}
	for i, width := range []int{220, 180, 250, 140, 200} { // text lines
		y := 72 + i*30
		fill(188, y, 188+width, y+10, ink)
	}
	for row := 0; row < 2; row++ { // machine-readable zone
		y := 256 + row*18
		for x := 24; x < w-24; x += 11 {
			fill(x, y, x+7, y+11, ink)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}

// SamplePDF writes a minimal valid one-page PDF (A4) showing a title and a
// line of text, with a correct cross-reference table, by hand: no library.
func SamplePDF(title, line string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	stream := fmt.Sprintf("BT /F1 20 Tf 72 770 Td (%s) Tj ET\nBT /F1 12 Tf 72 740 Td (%s) Tj ET\n", esc.Replace(title), esc.Replace(line))
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(stream), stream),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
