/* Check lines for caught events (see fault_check.h). */
#include "fault_check.h"

#include "check.h"
#include "print.h"

static const char *const names[20] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
    "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM",
};

void put_event(uint32_t vector, uint32_t error)
{
    if (vector == NO_FAULT)
        put_str("no fault");
    else if (vector < 20)
        put_str(names[vector]);
    else
        kprintf("vector 0x%x", vector);
    if (vector != NO_FAULT && error != NO_ERROR)
        kprintf("(%04x)", error);
}

int event_outcome(uint32_t vector, uint32_t want_vector, uint32_t want_error)
{
    uint32_t error = vector == NO_FAULT ? NO_ERROR : catch_error();
    put_str(" -> ");
    put_event(vector, error);
    int ok = vector == want_vector && (vector == NO_FAULT || error == want_error);
    if (!ok) {
        put_str(" (want ");
        put_event(want_vector, want_error);
        put_char(')');
    }
    return ok;
}

int check_event_end(uint32_t vector, uint32_t want_vector, uint32_t want_error)
{
    return check_end(event_outcome(vector, want_vector, want_error));
}

int check_event(const char *what, uint32_t vector, uint32_t want_vector, uint32_t want_error)
{
    check_begin();
    put_str(what);
    return check_event_end(vector, want_vector, want_error);
}

void note_begin(void)
{
    put_str("     note: ");
}
