package dev.odin.config;

import dev.odin.receiver.otlp.GrpcAnswers;
import dev.odin.receiver.otlp.OtlpGrpcComponent;
import dev.odin.receiver.otlp.OtlpGrpcServices;
import dev.odin.receiver.otlp.OtlpGuard;
import dev.odin.receiver.otlp.OtlpProperties;
import dev.odin.receiver.otlp.OtlpReceiverSteps;
import dev.odin.receiver.otlp.AdmissionControl;
import dev.odin.receiver.otlp.TokenAuthenticator;
import dev.odin.receiver.otlp.ExportResponses;
import dev.odin.receiver.otlp.OtlpHttpResponder;
import dev.odin.receiver.otlp.OtlpJson;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OTLP receiver: its guard, the {@code otlp-grpc} component and the receiver routes' steps. */
@Configuration(proxyBeanMethods = false)
public class OtlpReceiverConfiguration {

    @Bean
    public OtlpGuard otlpGuard(ObjectProvider<TokenAuthenticator> tokens, AdmissionControl admission,
            OdinProperties props) {
        OtlpProperties otlp = props.getOtlp();
        return new OtlpGuard(tokens.getIfAvailable(), admission, new OtlpGuard.Limits(otlp.getMaxRequestSize().toBytes(),
                otlp.getMaxDecompressedSize().toBytes(), otlp.getGrpc().getMaxMessageSize().toBytes()));
    }

    @Bean
    public GrpcAnswers grpcAnswers(ExportResponses responses) {
        return new GrpcAnswers(responses);
    }

    @Bean
    public OtlpGrpcServices otlpGrpcServices(OtlpGuard guard, GrpcAnswers answers) {
        return new OtlpGrpcServices(guard, answers);
    }

    /** Camel finds the component by its bean name: {@code from: otlp-grpc:metrics}. */
    @Bean(OtlpGrpcComponent.SCHEME)
    public OtlpGrpcComponent otlpGrpcComponent(OtlpGrpcServices services, ExportResponses responses) {
        return new OtlpGrpcComponent(services, responses);
    }

    /** Route steps: {@code - bean: {ref: otlpReceiver, method: respond}}. */
    @Bean
    public OtlpReceiverSteps otlpReceiver(OtlpGuard guard, OtlpJson json, OtlpHttpResponder responder,
            ExportResponses responses, GrpcAnswers answers) {
        return new OtlpReceiverSteps(guard, json, responder, responses, answers);
    }
}
