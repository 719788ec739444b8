#include "bt86/segmentation/vectors.h"

namespace bt86 {

const char* vector_name(uint8_t v) {
  static const char* names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
                                "#TS", "#NP", "#SS", "#GP", "#PF", "rsv", "#MF", "#AC", "#MC", "#XM"};
  return v < 20 ? names[v] : "INT";
}

}  // namespace bt86
