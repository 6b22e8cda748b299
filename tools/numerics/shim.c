#include <immintrin.h>
#include <string.h>
typedef __m512 (*f16)(__m512);
typedef __m512d (*d8)(__m512d);
typedef __m256 (*f8)(__m256);
typedef __m256d (*d4)(__m256d);
void apply_f16(void* fn, const float* in, float* out, long n){
  for(long i=0;i<n;i+=16){ float b[16]={0}; long k=n-i<16?n-i:16; memcpy(b,in+i,k*4);
    __m512 r=((f16)fn)(_mm512_loadu_ps(b)); _mm512_storeu_ps(b,r); memcpy(out+i,b,k*4);} }
void apply_d8(void* fn, const double* in, double* out, long n){
  for(long i=0;i<n;i+=8){ double b[8]={0}; long k=n-i<8?n-i:8; memcpy(b,in+i,k*8);
    __m512d r=((d8)fn)(_mm512_loadu_pd(b)); _mm512_storeu_pd(b,r); memcpy(out+i,b,k*8);} }
void apply_f8(void* fn, const float* in, float* out, long n){
  for(long i=0;i<n;i+=8){ float b[8]={0}; long k=n-i<8?n-i:8; memcpy(b,in+i,k*4);
    __m256 r=((f8)fn)(_mm256_loadu_ps(b)); _mm256_storeu_ps(b,r); memcpy(out+i,b,k*4);} }
void apply_d4(void* fn, const double* in, double* out, long n){
  for(long i=0;i<n;i+=4){ double b[4]={0}; long k=n-i<4?n-i:4; memcpy(b,in+i,k*8);
    __m256d r=((d4)fn)(_mm256_loadu_pd(b)); _mm256_storeu_pd(b,r); memcpy(out+i,b,k*8);} }
