#include "vm/printk.h"

#include <fmt/format.h>

#include "vm/model.h"

namespace ptcheck::vm {

std::string format_printk(const std::string& fmt_in, const uint64_t* args, size_t nargs, const Model& m) {
  std::string out;
  size_t i = 0, next = 0;
  // KERN_ERR and friends are "\001" followed by a level digit.
  while (i + 1 < fmt_in.size() && fmt_in[i] == '\001') i += 2;
  auto arg = [&]() -> uint64_t { return next < nargs ? args[next++] : 0; };
  while (i < fmt_in.size()) {
    char c = fmt_in[i++];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i < fmt_in.size() && fmt_in[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    std::string flags;
    while (i < fmt_in.size() && std::string_view("0-+ #").find(fmt_in[i]) != std::string_view::npos) flags += fmt_in[i++];
    unsigned width = 0;
    while (i < fmt_in.size() && fmt_in[i] >= '0' && fmt_in[i] <= '9') width = width * 10 + unsigned(fmt_in[i++] - '0');
    unsigned len = 4;  // int
    while (i < fmt_in.size() && (fmt_in[i] == 'l' || fmt_in[i] == 'h' || fmt_in[i] == 'z')) {
      len = fmt_in[i] == 'h' ? 2 : 8;
      ++i;
    }
    if (i >= fmt_in.size()) break;
    char conv = fmt_in[i++];
    uint64_t v = 0;
    std::string body;
    switch (conv) {
      case 'd':
      case 'i':
        v = arg();
        body = std::to_string(len == 8 ? static_cast<int64_t>(v) : static_cast<int64_t>(static_cast<int32_t>(v)));
        break;
      case 'u':
        v = arg();
        body = std::to_string(len == 8 ? v : static_cast<uint32_t>(v));
        break;
      case 'x':
      case 'X':
      case 'o':
        v = arg();
        if (len != 8) v = static_cast<uint32_t>(v);
        body = conv == 'o' ? fmt::format("{:o}", v) : conv == 'x' ? fmt::format("{:x}", v) : fmt::format("{:X}", v);
        if (flags.find('#') != std::string::npos) body = (conv == 'o' ? "0" : "0x") + body;
        break;
      case 'c':
        body = std::string(1, static_cast<char>(arg()));
        break;
      case 'p': {
        v = arg();
        std::string ext;
        while (i < fmt_in.size() && std::isalpha(static_cast<unsigned char>(fmt_in[i])) && ext.size() < 2) ext += fmt_in[i++];
        if (ext == "s" || ext == "S") {
          const Function* f = m.function_at(v);
          body = f ? f->name + (ext == "S" ? fmt::format("+{:#x}/{:#x}", v - f->address, m.func_stride) : "")
                   : fmt::format("{:#x}", v);
        } else {
          body = fmt::format("{:016x}", v);
        }
        break;
      }
      default:
        body = std::string("%") + conv;
    }
    if (body.size() < width) {
      bool left = flags.find('-') != std::string::npos;
      char pad = flags.find('0') != std::string::npos && !left ? '0' : ' ';
      std::string fill(width - body.size(), pad);
      if (left) body += fill;
      else if (pad == '0' && !body.empty() && body[0] == '-') body = "-" + fill + body.substr(1);
      else body = fill + body;
    }
    out += body;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<PrintkConversion> printk_conversions(const std::string& f) {
  std::vector<PrintkConversion> out;
  size_t i = 0;
  while (i + 1 < f.size() && f[i] == '\001') i += 2;
  while (i < f.size()) {
    if (f[i] != '%') {
      ++i;
      continue;
    }
    size_t begin = i++;
    if (i < f.size() && f[i] == '%') {
      ++i;
      continue;
    }
    while (i < f.size() && std::string_view("0-+ #").find(f[i]) != std::string_view::npos) ++i;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    while (i < f.size() && (f[i] == 'l' || f[i] == 'h' || f[i] == 'z')) ++i;
    if (i >= f.size()) break;
    char conv = f[i++];
    if (conv == 'p')
      for (int k = 0; k < 2 && i < f.size() && std::isalpha(static_cast<unsigned char>(f[i])); ++k) ++i;
    out.push_back(PrintkConversion{begin, i, conv});
  }
  return out;
}

}  // namespace ptcheck::vm
