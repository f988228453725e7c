#include "CRdKafkaShim.h"

void shim_cancel_flag_raise(int32_t *flag) {
    if (flag != NULL) {
        __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
    }
}

int shim_cancel_flag_is_raised(const int32_t *flag) {
    return flag != NULL && __atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0;
}
