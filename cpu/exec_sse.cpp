// Instruction family 'sse' (see families.h). Forms not listed decode to #UD.
#include "families.h"

namespace bs::cpu {

std::span<const Form> forms_sse() { return {}; }

}  // namespace bs::cpu
