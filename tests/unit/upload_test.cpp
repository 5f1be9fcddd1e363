#include <gtest/gtest.h>

#include "centrala/api/upload.hpp"

using namespace centrala::api;

TEST(Upload, TypeComesFromTheBytes) {
    EXPECT_EQ(sniff_file_type(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
    EXPECT_EQ(sniff_file_type("\xff\xd8\xff\xe0rest"), "image/jpeg");
    EXPECT_EQ(sniff_file_type("GIF89a..."), "image/gif");
    EXPECT_EQ(sniff_file_type("RIFF\x10\0\0\0WEBPVP8 "), std::nullopt);  // embedded NUL shortens the literal
    EXPECT_EQ(sniff_file_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
    EXPECT_EQ(sniff_file_type("%PDF-1.7\n"), "application/pdf");
    EXPECT_EQ(sniff_file_type("<html><script>alert(1)</script>"), std::nullopt);
    EXPECT_EQ(sniff_file_type("MZ\x90\0"), std::nullopt);
    EXPECT_EQ(sniff_file_type(""), std::nullopt);
}

TEST(Upload, FileNamesCannotEscapeOrSurprise) {
    EXPECT_EQ(sanitise_file_name("../../etc/passwd", "image/png"), "passwd.png");
    EXPECT_EQ(sanitise_file_name("..\\..\\windows\\win.ini", "application/pdf"), "win.pdf");
    EXPECT_EQ(sanitise_file_name(".htaccess", "image/png"), "htaccess.png");
    EXPECT_EQ(sanitise_file_name("zdjęcie latarni.JPG", "image/jpeg"), "zdj_cie_latarni.jpg");
    EXPECT_EQ(sanitise_file_name("report.pdf.exe", "application/pdf"), "report.pdf.pdf");
    EXPECT_EQ(sanitise_file_name("", "image/gif"), "zalacznik.gif");
    EXPECT_EQ(sanitise_file_name("....", "image/gif"), "zalacznik.gif");
    EXPECT_EQ(sanitise_file_name(std::string("a\0b\r\n.png", 9), "image/png"), "a_b.png");
    EXPECT_LE(sanitise_file_name(std::string(500, 'x'), "image/png").size(), 100u);
}

TEST(Upload, MultipartFilePart) {
    const std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n"
        "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\nDATA\r\n--XyZ--\r\n";
    auto f = parse_multipart_file("multipart/form-data; boundary=XyZ", body);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->file_name, "a b.png");
    EXPECT_EQ(f->content_type, "image/png");
    EXPECT_EQ(f->bytes, "\x89PNG\r\n\x1a\nDATA");
    EXPECT_FALSE(parse_multipart_file("multipart/form-data", body).has_value());
    EXPECT_FALSE(parse_multipart_file("multipart/form-data; boundary=Other", body).has_value());
    EXPECT_FALSE(parse_multipart_file("multipart/form-data; boundary=XyZ", "--XyZ\r\ngarbage").has_value());
    EXPECT_FALSE(parse_multipart_file("text/plain; boundary=XyZ", body).has_value());
}
